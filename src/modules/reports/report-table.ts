/**
 * A report as a table, and its three renderings: JSON (the table itself), CSV (csv-stringify, UTF-8 with a BOM for
 * Excel) and PDF (kk/ru/en, the documents' layout and DejaVu font). Every report builds one of these.
 */
import { stringify } from 'csv-stringify/sync';
import { config } from '../../config';
import type { DocumentFile } from '../../core/document-file';
import { formatDate } from '../../documents/format';
import type { Lang } from '../../documents/labels';
import { drawDocumentHeader, drawFieldGrid, drawTable, renderPdf } from '../../documents/layout';

export type Text = Record<Lang, string>;

export interface ReportColumn {
  key: string;
  header: Text;
  numeric?: boolean;
}

export interface ReportTable {
  report: string;
  title: Text;
  /** What the report covers, as printed: period, grouping, organisations. */
  filters: Record<string, string>;
  columns: ReportColumn[];
  rows: Record<string, string | number>[];
  totals: Record<string, string | number>;
  generatedAt: Date;
}

export type ReportFormat = 'json' | 'csv' | 'pdf';

export function reportCsv(table: ReportTable, lang: Lang): DocumentFile {
  const header = table.columns.map((c) => c.header[lang]);
  const rows = [...table.rows, table.totals].map((row) => table.columns.map((c) => row[c.key] ?? ''));
  return {
    file: Buffer.from(stringify([header, ...rows], { bom: true }), 'utf8'),
    filename: `${table.report}-${lang}.csv`,
    contentType: 'text/csv',
    disposition: 'attachment',
  };
}

const TOTAL: Text = { kk: 'Барлығы', ru: 'Итого', en: 'Total' };

export async function reportPdf(table: ReportTable, lang: Lang): Promise<DocumentFile> {
  const title = table.title[lang];
  const file = await renderPdf(
    { lang, title, author: config.orgName, createdAt: table.generatedAt, footerText: title, runningHeader: title },
    (doc) => {
      drawDocumentHeader(doc, {
        organisation: { name: config.orgName, details: [] },
        title,
        subtitle: formatDate(table.generatedAt, lang),
      });
      drawFieldGrid(
        doc,
        Object.entries(table.filters).map(([label, value]) => ({ label, value })),
      );
      const first = table.columns[0]?.key;
      drawTable(doc, {
        columns: table.columns.map((c, i) => ({
          header: c.header[lang],
          weight: i === 0 ? 3 : 1,
          align: c.numeric ? ('right' as const) : ('left' as const),
        })),
        rows: [...table.rows, { ...table.totals, [first]: TOTAL[lang] }].map((row) =>
          table.columns.map((c) => String(row[c.key] ?? '')),
        ),
      });
    },
  );
  return { file, filename: `${table.report}-${lang}.pdf`, contentType: 'application/pdf' };
}
