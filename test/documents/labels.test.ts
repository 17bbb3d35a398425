import { formatDate, formatDecimal, formatMoney } from '../../src/documents/format';
import { ITEM_CONDITIONS, LANGS, labels, pickText, UNIT_CODES, unitLabel } from '../../src/documents/labels';

/** Every leaf of a labels object as "path" -> value, so the three languages can be compared key by key. */
function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      for (const [p, v] of leaves(child, path ? `${path}.${key}` : key)) out.set(p, v);
    }
  } else {
    out.set(path, value);
  }
  return out;
}

describe('document labels', () => {
  test('every language has the same labels, none of them empty', () => {
    const reference = [...leaves(labels('en')).keys()].sort();
    for (const lang of LANGS) {
      const own = leaves(labels(lang));
      expect([...own.keys()].sort()).toEqual(reference);
      for (const [path, value] of own) {
        if (typeof value === 'string') expect({ path, empty: value.trim() === '' }).toEqual({ path, empty: false });
      }
      for (const unit of UNIT_CODES) expect(labels(lang).units[unit]).toBeTruthy();
      for (const condition of ITEM_CONDITIONS) expect(labels(lang).conditions[condition]).toBeTruthy();
    }
  });

  test('page numbers read naturally in each language', () => {
    expect(labels('en').common.pageOf(1, 3)).toBe('Page 1 of 3');
    expect(labels('ru').common.pageOf(1, 3)).toBe('Страница 1 из 3');
    expect(labels('kk').common.pageOf(1, 3)).toBe('Бет 1 / 3');
  });

  test('when a translation is missing, then the nearest language is used', () => {
    expect(pickText({ ru: 'Одеяло', en: 'Blanket' }, 'kk')).toBe('Одеяло');
    expect(pickText({ kk: 'Көрпе', en: 'Blanket' }, 'ru')).toBe('Көрпе');
    expect(pickText({ kk: 'Көрпе', ru: 'Одеяло' }, 'en')).toBe('Одеяло');
    expect(pickText({ kk: '  ', en: 'Blanket' }, 'kk')).toBe('Blanket');
    expect(pickText('Юрта', 'en')).toBe('Юрта');
  });

  test('a unit code is translated; a caller’s own unit text is printed as given', () => {
    expect(unitLabel('piece', 'kk')).toBe('дана');
    expect(unitLabel('piece', 'ru')).toBe('шт.');
    expect(unitLabel({ en: 'box of 12', ru: 'коробка по 12' }, 'ru')).toBe('коробка по 12');
  });
});

describe('document number and date formatting', () => {
  const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

  test('decimal strings are printed digit for digit, grouped per language', () => {
    expect(plain(formatDecimal('1234567.125', 'ru'))).toBe('1 234 567,125');
    expect(formatDecimal('1234567.125', 'en')).toBe('1,234,567.125');
    expect(formatDecimal(0.1 + 0.2, 'en')).toBe('0.3');
    expect(formatDecimal('2 × 12', 'en')).toBe('2 × 12');
  });

  test('money keeps the tenge sign in every language', () => {
    expect(plain(formatMoney({ amount: '1500000', currency: 'KZT' }, 'kk'))).toBe('1 500 000,00 ₸');
    expect(plain(formatMoney({ amount: '1500000', currency: 'KZT' }, 'ru'))).toBe('1 500 000,00 ₸');
    expect(formatMoney({ amount: '1500000', currency: 'KZT' }, 'en')).toBe('₸1,500,000.00');
    expect(formatMoney({ amount: 250, currency: 'USD' }, 'en')).toBe('$250.00');
  });

  test('a calendar day never shifts; an instant is shown as the day it was in Kazakhstan', () => {
    expect(formatDate('2024-03-15', 'ru')).toBe('15.03.2024');
    expect(formatDate('2024-03-15', 'en', 'long')).toBe('15 March 2024');
    expect(formatDate('2024-03-15', 'kk', 'long')).toBe('2024 ж. 15 наурыз');
    // 20:00 UTC is already the next day in Astana (UTC+5).
    expect(formatDate(new Date('2024-03-15T20:00:00Z'), 'en')).toBe('16/03/2024');
  });
});
