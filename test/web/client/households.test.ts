import { describe, expect, test } from 'vitest';
import { type DueRow, dayFilter, findRows, foldName, partialLines } from '../../../src/web/client/lib/households';

function row(householdNumber: string, head: string): DueRow {
  return {
    allocationId: `alloc-${householdNumber}`,
    householdId: `hh-${householdNumber}`,
    householdNumber,
    head,
    size: 4,
    settlement: 'Талғар',
    status: 'reserved',
    lines: [],
    short: false,
  };
}

const rows = [
  row('HH-000012', 'Әсел Қуанышқызы Нұрланова'),
  row('HH-000013', 'Асель Ким'),
  row('HH-000014', 'Ержан Сейітов'),
];

describe('finding a household on a distribution day', () => {
  test('when a Kazakh name is typed on a Russian keyboard, then the household is still found', () => {
    expect(foldName('Әсел Қуанышқызы')).toBe(foldName('Асел Куанышкызы'));
    expect(findRows(rows, 'асел нурланова').map((r) => r.householdNumber)).toEqual(['HH-000012']);
  });

  test('when several words are typed, then every word must be in the name, in any order', () => {
    expect(findRows(rows, 'ким асель').map((r) => r.householdNumber)).toEqual(['HH-000013']);
    expect(findRows(rows, 'асел').map((r) => r.householdNumber)).toEqual(['HH-000012', 'HH-000013']);
  });

  test('when a household card is scanned, then its number finds exactly that household', () => {
    expect(findRows(rows, 'hh-000014').map((r) => r.head)).toEqual(['Ержан Сейітов']);
    expect(findRows(rows, 'alloc-HH-000013').map((r) => r.householdNumber)).toEqual(['HH-000013']);
  });

  test('when nothing is typed, then the whole list shows', () => {
    expect(findRows(rows, '  ')).toHaveLength(3);
  });
});

describe('a partial hand-over', () => {
  const lines = [
    { itemId: 'flour', reserved: 10_000, unit: 'g', baseUnit: 'kg' },
    { itemId: 'basket', reserved: 2, unit: 'kit', baseUnit: 'kit' },
  ];

  test('when quantities are typed in kg with a decimal comma, then the API gets whole grams, an empty line as 0', () => {
    expect(partialLines(lines, { flour: '2,5' })).toEqual({
      lines: [
        { itemId: 'flour', quantity: 2500 },
        { itemId: 'basket', quantity: 0 },
      ],
      problems: {},
    });
  });

  test('when a line is more than was reserved or not a number, then that line says so', () => {
    expect(partialLines(lines, { flour: '10,5', basket: 'two' }).problems).toEqual({
      flour: 'tooMuch',
      basket: 'decimal',
    });
    // Half a kit is not a whole number of the unit counted.
    expect(partialLines(lines, { basket: '1,5' }).problems).toEqual({ basket: 'decimal' });
  });

  test('when every line is 0, then the whole is refused: that is the outcome "nothing"', () => {
    expect(partialLines(lines, { flour: '0', basket: '' }).problems).toEqual({ all: 'nothing' });
  });
});

describe('the list of distribution days', () => {
  test("when today's days are asked, then the date is the device's day at both ends", () => {
    expect(dayFilter('today', '', '2026-12-15')).toEqual({ plannedFrom: '2026-12-15', plannedTo: '2026-12-15' });
    expect(dayFilter('upcoming', ' gym ', '2026-12-15')).toEqual({ plannedFrom: '2026-12-15', site: 'gym' });
    expect(dayFilter('all', '', '2026-12-15')).toEqual({});
  });
});
