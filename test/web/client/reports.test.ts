import { describe, expect, test } from 'vitest';
import { chartMeasure, chartRows, type ReportJson } from '../../../src/web/client/lib/reports';

const stock: ReportJson = {
  report: 'stock-by-region',
  title: 'Қоймадағы қалдық',
  scope: 'Asar',
  filters: {},
  columns: [
    { key: 'label', header: 'Өңір' },
    { key: 'lines', header: 'жолдар' },
    { key: 'kg', header: 'кг' },
    { key: 'tonnes', header: 'тонна' },
  ],
  rows: [
    { group: 'astana', label: 'Астана', lines: 4, kg: '1250.5', tonnes: '1.2505' },
    { group: 'almaty_region', label: 'Алматы облысы', lines: 2, kg: 300, tonnes: 0.3 },
  ],
  totals: { lines: 6, kg: '1550.5', tonnes: '1.5505' },
  notes: [],
  generatedAt: '2026-12-01T10:00:00Z',
};

describe('the report chart', () => {
  test('when a stock report arrives, then each row is a bar as long as its tonnes, labelled as the API labels it', () => {
    expect(chartMeasure(stock)).toBe('tonnes');
    expect(chartRows(stock)).toEqual([
      { label: 'Астана', value: 1.2505 },
      { label: 'Алматы облысы', value: 0.3 },
    ]);
  });

  test('when a report has no weights, then its first figure is drawn', () => {
    const counts = { ...stock, columns: stock.columns.slice(0, 2) };
    expect(chartMeasure(counts)).toBe('lines');
    expect(chartRows(counts).map((row) => row.value)).toEqual([4, 2]);
  });
});
