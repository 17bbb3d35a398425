import { AppError } from '../../../src/core/errors';
import {
  decimalToScaledInteger,
  fromSubUnits,
  gramsOf,
  parseDecimal,
  resolvePacks,
  subUnitOf,
  toSubUnits,
} from '../../../src/modules/catalog/units';

const rice = { baseUnit: 'kg' };
const water = { baseUnit: 'l' };
const blankets = {
  baseUnit: 'piece',
  packs: resolvePacks('piece', [
    { unit: 'box', quantity: 12, of: 'piece' },
    { unit: 'pallet', quantity: 40, of: 'box' },
  ]),
};

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('units', () => {
  test('when 0.1 t and 0.2 t are added, then the sum is exactly 300 kg', () => {
    const sum = toSubUnits(rice, 0.1, 't') + toSubUnits(rice, '0.2', 't');
    expect(sum).toBe(300_000);
    expect(fromSubUnits(rice, sum, 'kg')).toBe('300');
    expect(fromSubUnits(rice, sum, 't')).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3); // the float trap the representation avoids
  });

  test('when mass units are mixed, then every conversion is exact in grams', () => {
    expect(subUnitOf('kg')).toBe('g');
    expect(toSubUnits(rice, '1.234', 'kg')).toBe(1234);
    expect(toSubUnits(rice, 2, 'kg')).toBe(2000);
    expect(toSubUnits(rice, '750', 'g')).toBe(750);
    expect(toSubUnits(rice, '1.5', 'tonnes')).toBe(1_500_000);
    expect(toSubUnits(rice, '1e-3', 't')).toBe(1000);
    expect(toSubUnits(rice, 0.3, undefined)).toBe(300);
  });

  test('when litres are given, then they are stored as millilitres', () => {
    expect(subUnitOf('l')).toBe('ml');
    expect(toSubUnits(water, '0.5', 'l')).toBe(500);
    expect(toSubUnits(water, '19', 'litre')).toBe(19_000);
    expect(fromSubUnits(water, 1500)).toBe('1.5');
  });

  test('when a value is finer than the sub-unit, then it is rejected rather than rounded', () => {
    const error = errorOf(() => toSubUnits(rice, 0.0001, 'kg', 'lines[0].quantity'));
    expect(error.code).toBe('VALIDATION');
    expect(error.details).toEqual([expect.objectContaining({ field: 'lines[0].quantity', type: 'number.precision' })]);
    expect(errorOf(() => toSubUnits(blankets, '1.5', 'piece')).code).toBe('VALIDATION');
    expect(toSubUnits(blankets, '1.5', 'box')).toBe(18);
  });

  test('when packs nest, then a pallet resolves to 480 pieces', () => {
    expect(blankets.packs.map((p) => [p.unit, p.subUnits])).toEqual([
      ['box', 12],
      ['pallet', 480],
    ]);
    expect(toSubUnits(blankets, 2, 'pallet')).toBe(960);
    expect(toSubUnits(blankets, '3', 'box')).toBe(36);
    expect(fromSubUnits(blankets, 960, 'pallet')).toBe('2');
  });

  test('when a mass item has a bag pack of 25 kg, then 0.5 bag is 12500 g', () => {
    const flour = { baseUnit: 'kg', packs: resolvePacks('kg', [{ unit: 'bag', quantity: '25', of: 'kg' }]) };
    expect(toSubUnits(flour, 0.5, 'bag')).toBe(12_500);
    expect(toSubUnits(flour, 1, 't')).toBe(1_000_000);
  });

  test('when a unit does not convert, then the error names the field and both units', () => {
    const error = errorOf(() => toSubUnits(blankets, 3, 'kg', 'lines[1].quantity'));
    expect(error.code).toBe('VALIDATION');
    expect(error.details).toEqual([
      expect.objectContaining({ field: 'lines[1].unit', type: 'unit.convert', unit: 'kg', baseUnit: 'piece' }),
    ]);
    expect(error.message).toContain('kg');
    expect(error.message).toContain('piece');
    expect(errorOf(() => toSubUnits(water, 1, 'kg')).code).toBe('VALIDATION');
    expect(errorOf(() => toSubUnits(rice, 1, 'l')).code).toBe('VALIDATION');
  });

  test('when a quantity is zero, negative, unsafe or not a number, then it is rejected', () => {
    expect(errorOf(() => toSubUnits(rice, 0, 'kg')).code).toBe('VALIDATION');
    expect(errorOf(() => toSubUnits(rice, '-1', 'kg')).code).toBe('VALIDATION');
    expect(toSubUnits(rice, '-1', 'kg', 'quantity', { allowNegative: true })).toBe(-1000);
    expect(errorOf(() => toSubUnits(rice, '1e20', 't')).code).toBe('VALIDATION');
    expect(errorOf(() => toSubUnits(rice, 'abc', 'kg')).code).toBe('VALIDATION');
    expect(errorOf(() => toSubUnits(rice, Number.NaN, 'kg')).code).toBe('VALIDATION');
    expect(errorOf(() => toSubUnits(rice, '1.2.3', 'kg')).code).toBe('VALIDATION');
  });

  test('when decimals are parsed, then they keep every digit', () => {
    expect(parseDecimal('0.10')).toEqual({ digits: 1n, scale: 1 });
    expect(parseDecimal('12.5e2')).toEqual({ digits: 1250n, scale: 0 });
    expect(decimalToScaledInteger('1500.5', 2, 'amount')).toBe(150050);
    expect(errorOf(() => decimalToScaledInteger('0.001', 2, 'amount')).code).toBe('VALIDATION');
  });

  test('when a pack is declared twice or names a unit, then it is rejected', () => {
    expect(errorOf(() => resolvePacks('piece', [{ unit: 'kg', quantity: 1, of: 'piece' }])).code).toBe('VALIDATION');
    expect(
      errorOf(() =>
        resolvePacks('piece', [
          { unit: 'box', quantity: 1, of: 'piece' },
          { unit: 'box', quantity: 2, of: 'piece' },
        ]),
      ).details,
    ).toEqual([expect.objectContaining({ field: 'packs[1].unit' })]);
    expect(errorOf(() => resolvePacks('piece', [{ unit: 'box', quantity: 1, of: 'crate' }])).details).toEqual([
      expect.objectContaining({ field: 'packs[0].of', type: 'unit.convert' }),
    ]);
  });

  test('when weights are computed, then mass items weigh what they measure and others use grams per unit', () => {
    expect(gramsOf(rice, 2500)).toBe(2500n);
    expect(gramsOf({ baseUnit: 'piece', weightGramsPerUnit: 1800 }, 3)).toBe(5400n);
    expect(gramsOf({ baseUnit: 'l', weightGramsPerUnit: 1000 }, 1500)).toBe(1500n);
    // 2^53 − 1 blankets of 1.8 kg: more grams than a double holds exactly, still exact.
    expect(gramsOf({ baseUnit: 'piece', weightGramsPerUnit: 1800 }, Number.MAX_SAFE_INTEGER)).toBe(
      16_212_958_658_533_783_800n,
    );
    expect(gramsOf({ baseUnit: 'piece' }, 3)).toBeNull();
  });
});
