import i18next from 'i18next';
import { beforeAll, describe, expect, test } from 'vitest';
import { kk } from '../../../src/web/client/i18n/kk';
import { ru } from '../../../src/web/client/i18n/ru';
import { ApiError } from '../../../src/web/client/lib/api';
import { errorText, formErrorsOf, formPath } from '../../../src/web/client/lib/field-errors';
import { placeScan, resolveScan, WedgeBuffer } from '../../../src/web/client/lib/scan';
import type { Item } from '../../../src/web/client/lib/types';

const flour: Item = {
  id: 'flour',
  sku: 'FOOD-FLOUR',
  name: { kk: 'Ұн' },
  category: 'food',
  baseUnit: 'kg',
  packs: [{ unit: 'sack', quantity: '50', of: 'kg' }],
  lotTracked: false,
  expiryTracked: false,
  active: true,
  barcodes: ['4870001234567'],
};

describe('resolveScan', () => {
  test("when an item's SKU or barcode is scanned, then it means one base unit", () => {
    expect(resolveScan('food-flour', [flour])).toMatchObject({ item: { id: 'flour' }, quantity: '1', unit: 'kg' });
    expect(resolveScan(' 4870001234567 ', [flour])).toMatchObject({ quantity: '1', unit: 'kg' });
  });

  test("when a pack's code is scanned, then it means one pack: the pack's quantity", () => {
    expect(resolveScan('FOOD-FLOUR/SACK', [flour])).toMatchObject({ quantity: '1', unit: 'sack' });
  });

  test('when an unknown code is scanned, then nothing matches', () => {
    expect(resolveScan('NOPE', [flour])).toBeNull();
    expect(resolveScan('', [flour])).toBeNull();
  });
});

describe('placeScan', () => {
  const sack = { item: flour, quantity: '1', unit: 'sack' };

  test('when the scanned item and unit already have a line, then that line grows by the scan, exactly', () => {
    const lines = [{ itemId: 'flour', quantity: '2,5', unit: 'sack' }];
    expect(placeScan(lines, sack)).toEqual({ index: 0, quantity: '3.5', fresh: false });
  });

  test('when the same item is on a line in another unit, then the scan goes to the first empty line', () => {
    const lines = [
      { itemId: 'flour', quantity: '12', unit: 'kg' },
      { itemId: null, quantity: '', unit: null },
    ];
    expect(placeScan(lines, sack)).toEqual({ index: 1, quantity: '1', fresh: true });
  });

  test('when no line is empty, then the scan adds a line at the end', () => {
    const lines = [{ itemId: 'other', quantity: '1', unit: 'piece' }];
    expect(placeScan(lines, sack)).toEqual({ index: 1, quantity: '1', fresh: true });
  });
});

describe('WedgeBuffer', () => {
  const feed = (buffer: WedgeBuffer, text: string, start: number, gap: number) => {
    let result: string | null = null;
    [...text, 'Enter'].forEach((key, index) => {
      result = buffer.key(key, start + index * gap) ?? result;
    });
    return result;
  };

  test('when keys arrive scanner-fast and end with Enter, then they are one scan', () => {
    expect(feed(new WedgeBuffer(), 'FOOD-FLOUR', 1000, 8)).toBe('FOOD-FLOUR');
  });

  test('when a person types at human speed, then it is not a scan', () => {
    expect(feed(new WedgeBuffer(), 'FOOD', 1000, 180)).toBeNull();
  });

  test('when a pause splits the keys, then only the fast run after it counts', () => {
    const buffer = new WedgeBuffer();
    buffer.key('x', 0);
    expect(feed(buffer, 'ABC-1', 5000, 5)).toBe('ABC-1');
  });
});

describe('API errors next to their fields', () => {
  beforeAll(async () => {
    await i18next.init({ lng: 'kk', resources: { kk: { translation: kk }, ru: { translation: ru } } });
  });

  test("when the API names a nested field, then the form field gets the message in the user's language", () => {
    expect(formPath('lines[2].quantity')).toBe('lines.2.quantity');
    const error = new ApiError('VALIDATION', 'bad', 400, [
      { field: 'lines[0].lot', message: '"lines[0].lot" length must be less than or equal to 64', type: 'string.max' },
      { field: 'donorId', message: '"donorId" is required', type: 'any.required' },
      { field: 'lines[1].quantity', message: '"lines[1].quantity" must be a decimal', type: 'alternatives.match' },
    ]);
    expect(formErrorsOf(error, i18next.t)).toEqual({
      'lines.0.lot': 'Тым ұзын',
      donorId: 'Міндетті өріс',
      'lines.1.quantity': 'Сан енгізіңіз, мысалы 12,5',
    });
  });

  test("when an error has a known code, then the banner says it in the user's language", async () => {
    await i18next.changeLanguage('ru');
    expect(errorText(new ApiError('INSUFFICIENT_STOCK', 'Not enough', 409), i18next.t)).toBe('Недостаточно остатков.');
    expect(errorText(new ApiError('NETWORK', 'x', 0), i18next.t)).toBe(ru.errors.network);
    expect(errorText(new ApiError('SOMETHING_NEW', 'x', 418), i18next.t)).toBe(ru.errors.generic);
  });
});
