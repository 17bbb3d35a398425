import { describe, expect, test } from 'vitest';
import { en } from '../../../src/web/client/i18n/en';
import { kk } from '../../../src/web/client/i18n/kk';
import { parseDecimal, parsePositiveQuantity } from '../../../src/web/client/lib/decimal';
import { decimalShift, formatNumber, kgAndTonnes } from '../../../src/web/client/lib/format';
import { addDecimal, balanceFigures, inBaseUnit, subtractDecimal, subUnitOf } from '../../../src/web/client/lib/stock';
import type { Balance } from '../../../src/web/client/lib/types';

describe('parseDecimal', () => {
  test.each([
    ['12,5', '12.5'],
    ['12.5', '12.5'],
    [' 1 250,50 ', '1250.5'],
    ['1\u00a0250,5', '1250.5'],
    ['1\u202f250', '1250'],
    ['007', '7'],
    [',5', '0.5'],
    ['+3', '3'],
    ['10,', '10'],
  ])('when a person types %j, then the API gets %j', (typed, sent) => {
    expect(parseDecimal(typed)).toBe(sent);
  });

  test.each(['', 'abc', '1.250,5', '1,2,3', '-5', '1e3', '12 кг'])(
    'when %j is typed, then it is not a number',
    (typed) => {
      expect(parseDecimal(typed)).toBeNull();
    },
  );

  test('when a quantity is zero, then it is refused as not positive', () => {
    expect(parsePositiveQuantity('0,000')).toEqual({ error: 'positive' });
    expect(parsePositiveQuantity('x')).toEqual({ error: 'decimal' });
    expect(parsePositiveQuantity('0,001')).toEqual({ value: '0.001' });
  });
});

describe('exact decimal arithmetic', () => {
  test('when kg become tonnes, then no floating point error appears', () => {
    expect(decimalShift('300', -3)).toBe('0.3');
    expect(decimalShift('0.1', -3)).toBe('0.0001');
    expect(decimalShift('5090.9', -3)).toBe('5.0909');
    expect(decimalShift('1.5', 3)).toBe('1500');
    expect(decimalShift('0', -3)).toBe('0');
  });

  test('when scanned packs add up, then 0.1 + 0.2 is 0.3', () => {
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('12.5', '1')).toBe('13.5');
    expect(subtractDecimal('300', '12.25')).toBe('287.75');
    expect(subtractDecimal('1', '1.5')).toBe('-0.5');
  });

  test('when a balance has reservations, then reserved and available are shown in the base unit, exactly', () => {
    const balance = { quantity: '300', baseUnit: 'kg', onHand: 300000, unit: 'g' } as Balance;
    expect(balanceFigures({ ...balance, reserved: 120500, available: 179500 })).toEqual({
      onHand: '300',
      reserved: '120.5',
      available: '179.5',
    });
    // Damaged or expired stock is on hand but not available.
    expect(balanceFigures({ ...balance, reserved: 0, available: 0 }).available).toBe('0');
    // Counted items have no sub-unit.
    const pieces = { quantity: '40', baseUnit: 'piece', onHand: 40, unit: 'piece', reserved: 15, available: 25 };
    expect(balanceFigures(pieces as Balance)).toEqual({ onHand: '40', reserved: '15', available: '25' });
  });

  test('when the API answers without reservations, then everything on hand is available', () => {
    const balance = { quantity: '300', baseUnit: 'kg', onHand: 300000, unit: 'g' } as Balance;
    expect(balanceFigures(balance)).toEqual({ onHand: '300', reserved: '0', available: '300' });
  });

  test('when sub-units become base units, then grams are kg and millilitres litres', () => {
    expect(inBaseUnit(12500, 'g', 'kg')).toBe('12.5');
    expect(inBaseUnit(1500, 'ml', 'l')).toBe('1.5');
    expect(inBaseUnit(7, 'piece', 'piece')).toBe('7');
    expect(inBaseUnit(7, 'piece', 'kg')).toBeUndefined();
  });
});

describe('formatting', () => {
  test('when numbers are shown in Kazakh and Russian, then they use a decimal comma and spaces between thousands', () => {
    expect(formatNumber('1250.5', 'kk').replace(/\s/g, ' ')).toBe('1 250,5');
    expect(formatNumber('1250.5', 'ru').replace(/\s/g, ' ')).toBe('1 250,5');
    expect(formatNumber('1250.5', 'en')).toBe('1,250.5');
  });

  test("when a weight is shown, then it is in kg and tonnes with the language's units", () => {
    const { kg, tonnes } = kgAndTonnes('5090.9', 'kk', kk.units);
    expect(kg.replace(/\s/g, ' ')).toBe('5 090,9 кг');
    expect(tonnes).toBe('5,091 т');
    expect(kgAndTonnes('300', 'en', en.units)).toEqual({ kg: '300 kg', tonnes: '0.3 t' });
  });
});

describe('sub-units', () => {
  test('when an item is counted in kg, t or l, then the API counts it in grams or millilitres; pieces in pieces', () => {
    expect([subUnitOf('kg'), subUnitOf('t'), subUnitOf('l'), subUnitOf('piece')]).toEqual(['g', 'g', 'ml', 'piece']);
  });
});
