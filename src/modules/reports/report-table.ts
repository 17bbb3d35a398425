/**
 * A report as a table, and its three renderings: JSON (the table with its labels in the language asked), CSV
 * (csv-stringify, UTF-8 with a BOM for Excel) and PDF (kk/ru/en, the documents' layout and DejaVu font). Every
 * report builds one of these; nothing else formats a report.
 */
import { stringify } from 'csv-stringify/sync';
import { config } from '../../config';
import type { DocumentFile } from '../../core/document-file';
import { formatDate, formatDecimal } from '../../documents/format';
import type { Lang } from '../../documents/labels';
import { drawDocumentHeader, drawFieldGrid, drawParagraph, drawTable, renderPdf } from '../../documents/layout';
import { type Text, text } from './report-labels';

export interface ReportColumn {
  key: string;
  header: Text;
  numeric?: boolean;
}

export interface ReportRow {
  /** The code grouped by (a region, a month, a category); stable across languages. */
  group: string;
  label: Text;
  cells: Record<string, string | number>;
}

export interface ReportTable {
  report: string;
  title: Text;
  /** Whose figures these are: an organisation's name, or a hub's with its member count. */
  scope: Text;
  /** What the report covers, as printed: grouping, period. */
  filters: { label: Text; value: string }[];
  /** The grouping column's header; the value columns follow. */
  groupHeader: Text;
  columns: ReportColumn[];
  rows: ReportRow[];
  totals: Record<string, string | number>;
  /** Said under the table: what the figures leave out (lines without a weight, a source still missing). */
  notes: Text[];
  generatedAt: Date;
}

export type ReportFormat = 'json' | 'csv' | 'pdf';

export interface ReportJson {
  report: string;
  title: string;
  scope: string;
  filters: Record<string, string>;
  columns: { key: string; header: string }[];
  rows: ({ group: string; label: string } & Record<string, string | number>)[];
  totals: Record<string, string | number>;
  notes: string[];
  generatedAt: Date;
}

const FILTER_KEY = (label: Text) => label.en.toLowerCase().replace(/[^a-z]+/g, '_');

export function reportJson(table: ReportTable, lang: Lang): ReportJson {
  return {
    report: table.report,
    title: table.title[lang],
    scope: table.scope[lang],
    filters: Object.fromEntries(table.filters.map((f) => [FILTER_KEY(f.label), f.value])),
    columns: [
      { key: 'label', header: table.groupHeader[lang] },
      ...table.columns.map((c) => ({ key: c.key, header: c.header[lang] })),
    ],
    rows: table.rows.map((row) => ({ group: row.group, label: row.label[lang], ...row.cells })),
    totals: table.totals,
    notes: table.notes.map((note) => note[lang]),
    generatedAt: table.generatedAt,
  };
}

const TOTAL: Text = text('Total', 'Итого', 'Барлығы');

/** The table's rows and its total as printed: numbers as they are (CSV), or in the language's notation (PDF). */
function printedRows(table: ReportTable, lang: Lang, localised: boolean): string[][] {
  const cell = (c: ReportColumn, value: string | number | undefined) => {
    if (value === undefined) return '';
    return localised && c.numeric ? formatDecimal(value, lang, 12) : String(value);
  };
  return [
    ...table.rows.map((row) => [row.label[lang], ...table.columns.map((c) => cell(c, row.cells[c.key]))]),
    [TOTAL[lang], ...table.columns.map((c) => cell(c, table.totals[c.key]))],
  ];
}

export function reportCsv(table: ReportTable, lang: Lang): DocumentFile {
  const header = [table.groupHeader[lang], ...table.columns.map((c) => c.header[lang])];
  return {
    file: Buffer.from(stringify([header, ...printedRows(table, lang, false)], { bom: true }), 'utf8'),
    filename: `${table.report}-${lang}.csv`,
    contentType: 'text/csv',
    disposition: 'attachment',
  };
}

const SCOPE: Text = text('Figures of', 'Данные', 'Деректер');

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
      drawFieldGrid(doc, [
        { label: SCOPE[lang], value: table.scope[lang] },
        ...table.filters.map((f) => ({ label: f.label[lang], value: f.value })),
      ]);
      drawTable(doc, {
        columns: [
          { header: table.groupHeader[lang], weight: 3, align: 'left' as const },
          ...table.columns.map((c) => ({
            header: c.header[lang],
            weight: 1,
            align: c.numeric ? ('right' as const) : ('left' as const),
          })),
        ],
        rows: printedRows(table, lang, true),
      });
      for (const note of table.notes) drawParagraph(doc, note[lang], { muted: true });
    },
  );
  return { file, filename: `${table.report}-${lang}.pdf`, contentType: 'application/pdf' };
}

/** JSON answers the table; CSV and PDF answer it as a file. */
export async function renderReport(
  table: ReportTable,
  format: ReportFormat,
  lang: Lang,
): Promise<ReportJson | DocumentFile> {
  if (format === 'csv') return reportCsv(table, lang);
  if (format === 'pdf') return reportPdf(table, lang);
  return reportJson(table, lang);
}
