import { describe, expect, test } from 'vitest';
import { type DueRow, findRows, foldName } from '../../../src/web/client/lib/households';

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
