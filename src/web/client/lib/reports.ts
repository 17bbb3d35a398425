/**
 * A report as the API answers it in JSON (src/modules/reports/report-table.ts): already in the language asked for
 * (title, headers, each row's label), a row per group keyed by column, and the totals. Figures are numbers or
 * decimal strings; the first column is the group's label.
 */
export interface ReportJson {
  report: string;
  title: string;
  scope: string;
  filters: Record<string, string>;
  columns: { key: string; header: string }[];
  rows: ({ group: string; label: string } & Record<string, string | number>)[];
  totals: Record<string, string | number>;
  notes: string[];
  generatedAt: string;
}

/** Which reports there are, and how each may be grouped (the API's own lists). */
export const REPORTS = {
  stock: ['region', 'warehouse', 'category'],
  inflows: ['month', 'donor', 'donor_type'],
  outflows: ['month', 'purpose', 'region', 'warehouse'],
} as const;
export type ReportName = keyof typeof REPORTS;

/** The measure a chart draws: tonnes where the report has them, else its first count. */
export function chartMeasure(report: Pick<ReportJson, 'columns'>): string | null {
  const keys = report.columns.map((column) => column.key).filter((key) => key !== 'label');
  return keys.includes('tonnes') ? 'tonnes' : (keys[0] ?? null);
}

/**
 * What the chart draws: one bar a row, labelled as the API labels it, as long as its measure. A chart needs numbers;
 * the table beside it keeps the exact decimals.
 */
export function chartRows(report: ReportJson): { label: string; value: number }[] {
  const measure = chartMeasure(report);
  if (!measure) return [];
  return report.rows.map((row) => ({ label: row.label, value: Number(row[measure] ?? 0) || 0 }));
}
