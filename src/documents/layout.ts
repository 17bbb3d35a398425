/**
 * The building blocks every Asar PDF is made of: an A4 page with the organisation header, label/value fields,
 * a table that runs across pages and repeats its header row, a summary block, a signature block, a QR code and
 * the "Page X of Y" footer. A renderer (receipt, manifest, waybill) only decides what goes in them.
 *
 * Blocks draw at explicit coordinates and move `doc.y` below themselves. Each one measures before it draws and
 * starts a new page when it would not fit, so PDFKit never breaks a page in the middle of a row on its own.
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { FONT, registerFonts } from './fonts';
import { type Lang, labels } from './labels';

export type Doc = PDFKit.PDFDocument;
export type Align = 'left' | 'right' | 'center';

export const THEME = {
  // The bottom margin leaves room for the footer, the top one for the running header of later pages.
  margins: { top: 48, bottom: 54, left: 40, right: 40 },
  size: { orgName: 12, title: 15, heading: 10, body: 9, table: 8, small: 7 },
  color: { text: '#1a1a1a', muted: '#5c6770', rule: '#aeb8bf', headerFill: '#e3eaef', stripe: '#f5f7f9' },
  qrSize: 74,
  cellPadding: 3,
} as const;

export interface DocumentSetup {
  readonly lang: Lang;
  readonly title: string;
  readonly author: string;
  readonly subject?: string;
  /** Stored as the PDF CreationDate and ModDate: taken from the data, never the clock, so output is repeatable. */
  readonly createdAt: Date;
  /** Left part of every footer, e.g. "Donation receipt № R-2024-0001". */
  readonly footerText?: string;
  /** Printed at the top of pages 2..N so a loose page still says which document it belongs to. */
  readonly runningHeader?: string;
  /** A4 unless told: handling-unit labels are A6. */
  readonly size?: PageSize;
  /** Wide tables (a manifest with a dozen columns) read better across the page. */
  readonly landscape?: boolean;
}

export type PageSize = 'A4' | 'A6';

/** A6 is a quarter of A4: the margins shrink with it, keeping room for the footer. */
const SMALL_MARGINS = { top: 22, bottom: 34, left: 18, right: 18 } as const;

/**
 * Creates an A4 document with the fonts registered, lets `draw` fill it, adds headers and page footers once the
 * page count is known (bufferPages), and resolves with the finished file.
 */
export async function renderPdf(setup: DocumentSetup, draw: (doc: Doc) => void | Promise<void>): Promise<Buffer> {
  const doc = new PDFDocument({
    size: setup.size ?? 'A4',
    layout: setup.landscape ? 'landscape' : 'portrait',
    margins: { ...(setup.size === 'A6' ? SMALL_MARGINS : THEME.margins) },
    bufferPages: true,
    lang: labels(setup.lang).locale,
    displayTitle: true,
    info: {
      Title: setup.title,
      Author: setup.author,
      Subject: setup.subject ?? setup.title,
      Creator: 'Asar',
      Producer: 'Asar (PDFKit)',
      CreationDate: setup.createdAt,
      ModDate: setup.createdAt,
    },
  });
  const finished = collect(doc);
  try {
    registerFonts(doc);
    await draw(doc);
    drawPageFrames(doc, setup);
  } catch (error) {
    finished.catch(() => undefined); // the document is abandoned; its stream must not raise an unhandled rejection
    throw error;
  }
  doc.end();
  return finished;
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

export function contentLeft(doc: Doc): number {
  return doc.page.margins.left;
}

export function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

export function contentBottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Starts a new page unless `height` points still fit below `doc.y`: keeps a block (signatures, totals) together. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > contentBottom(doc)) doc.addPage();
}

function useFont(doc: Doc, bold: boolean, size: number, color: string = THEME.color.text): Doc {
  return doc
    .font(bold ? FONT.bold : FONT.regular)
    .fontSize(size)
    .fillColor(color);
}

function rule(doc: Doc, y: number, x: number = contentLeft(doc), width: number = contentWidth(doc)): void {
  doc
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(0.5)
    .strokeColor(THEME.color.rule)
    .stroke();
}

// ---------------------------------------------------------------------------------------------------------------
// Header

export interface DocumentHeader {
  readonly organisation: { readonly name: string; readonly details: readonly string[] };
  readonly title: string;
  /** e.g. "№ R-2024-0001 · 15 March 2024" */
  readonly subtitle?: string;
  /** A QR code at the top right with a short caption under it. */
  readonly qr?: { readonly png: Buffer; readonly caption: string };
}

/** Organisation name and details, document title, optional QR code, then a rule across the page. */
export function drawDocumentHeader(doc: Doc, header: DocumentHeader): void {
  const left = contentLeft(doc);
  const width = contentWidth(doc);
  const top = doc.page.margins.top;
  const textWidth = header.qr ? width - THEME.qrSize - 24 : width;

  useFont(doc, true, THEME.size.orgName).text(header.organisation.name, left, top, { width: textWidth });
  if (header.organisation.details.length > 0) {
    useFont(doc, false, THEME.size.small + 0.5, THEME.color.muted).text(
      header.organisation.details.join('  ·  '),
      left,
      doc.y + 2,
      { width: textWidth },
    );
  }
  useFont(doc, true, THEME.size.title).text(header.title, left, doc.y + 12, { width: textWidth });
  if (header.subtitle) {
    useFont(doc, false, THEME.size.heading).text(header.subtitle, left, doc.y + 3, { width: textWidth });
  }
  let bottom = doc.y;

  if (header.qr) {
    const x = left + width - THEME.qrSize;
    doc.image(header.qr.png, x, top, { width: THEME.qrSize, height: THEME.qrSize });
    useFont(doc, false, THEME.size.small - 1, THEME.color.muted).text(
      header.qr.caption,
      x - 12,
      top + THEME.qrSize + 2,
      { width: THEME.qrSize + 24, align: 'center' },
    );
    bottom = Math.max(bottom, doc.y);
  }

  rule(doc, bottom + 8);
  doc.x = left;
  doc.y = bottom + 16;
}

// ---------------------------------------------------------------------------------------------------------------
// Fields, paragraphs, summaries

export interface Field {
  readonly label: string;
  readonly value: string;
}

/** Label/value pairs in a grid (donor, warehouse, dates, ...): small grey label above the value. */
export function drawFieldGrid(doc: Doc, fields: readonly Field[], columns = 2): void {
  const left = contentLeft(doc);
  const gap = 16;
  const columnWidth = (contentWidth(doc) - gap * (columns - 1)) / columns;

  for (let start = 0; start < fields.length; start += columns) {
    const row = fields.slice(start, start + columns);
    const heights = row.map((field) => {
      useFont(doc, false, THEME.size.small);
      const labelHeight = doc.heightOfString(field.label, { width: columnWidth });
      useFont(doc, false, THEME.size.body);
      return labelHeight + 1 + doc.heightOfString(field.value || ' ', { width: columnWidth });
    });
    const rowHeight = Math.max(...heights);
    ensureSpace(doc, rowHeight);
    const y = doc.y;
    row.forEach((field, i) => {
      const x = left + i * (columnWidth + gap);
      useFont(doc, false, THEME.size.small, THEME.color.muted).text(field.label, x, y, { width: columnWidth });
      useFont(doc, false, THEME.size.body).text(field.value || ' ', x, doc.y + 1, { width: columnWidth });
    });
    doc.x = left;
    doc.y = y + rowHeight + 6;
  }
}

/** A block of running text across the content width. */
export function drawParagraph(doc: Doc, text: string, options: { heading?: string; muted?: boolean } = {}): void {
  const left = contentLeft(doc);
  const width = contentWidth(doc);
  useFont(doc, false, THEME.size.body);
  const textHeight = doc.heightOfString(text, { width });
  const headingHeight = options.heading ? THEME.size.heading + 6 : 0;
  // Keep a heading with at least the first lines of its text.
  ensureSpace(doc, headingHeight + Math.min(textHeight, 3 * THEME.size.body * 1.3));
  if (options.heading) {
    useFont(doc, true, THEME.size.heading).text(options.heading, left, doc.y, { width });
    doc.y += 2;
  }
  useFont(doc, false, THEME.size.body, options.muted ? THEME.color.muted : THEME.color.text).text(text, left, doc.y, {
    width,
  });
  doc.x = left;
  doc.y += 8;
}

/** A heading over an empty framed box to write in by hand (shortages noted before signing); never split. */
export function drawWritingBox(doc: Doc, heading: string, height: number): void {
  const left = contentLeft(doc);
  const width = contentWidth(doc);
  useFont(doc, true, THEME.size.body);
  const headingHeight = doc.heightOfString(heading, { width });
  ensureSpace(doc, headingHeight + 4 + height);
  doc.text(heading, left, doc.y, { width });
  const top = doc.y + 3;
  doc.rect(left, top, width, height).lineWidth(0.5).strokeColor(THEME.color.rule).stroke();
  doc.x = left;
  doc.y = top + height + 10;
}

export interface SummaryRow {
  readonly label: string;
  /** Several values (e.g. one per currency) are printed one under another. */
  readonly values: readonly string[];
}

/** A totals block in the right half of the page: heading, then label on the left and bold value on the right. */
export function drawSummary(doc: Doc, heading: string, rows: readonly SummaryRow[]): void {
  const width = Math.min(280, contentWidth(doc));
  const x = contentLeft(doc) + contentWidth(doc) - width;
  const labelWidth = width * 0.5;
  const valueWidth = width - labelWidth;

  const heights = rows.map((row) => {
    useFont(doc, true, THEME.size.body);
    const valueHeight = doc.heightOfString(row.values.join('\n') || ' ', { width: valueWidth });
    useFont(doc, false, THEME.size.body);
    return Math.max(valueHeight, doc.heightOfString(row.label, { width: labelWidth - 6 })) + 4;
  });
  ensureSpace(doc, THEME.size.heading + 8 + heights.reduce((sum, h) => sum + h, 0));

  useFont(doc, true, THEME.size.heading).text(heading, x, doc.y, { width });
  let y = doc.y + 2;
  rule(doc, y, x, width);
  y += 3;
  rows.forEach((row, i) => {
    useFont(doc, false, THEME.size.body).text(row.label, x, y, { width: labelWidth - 6 });
    useFont(doc, true, THEME.size.body).text(row.values.join('\n') || ' ', x + labelWidth, y, {
      width: valueWidth,
      align: 'right',
    });
    y += heights[i] ?? 0;
  });
  rule(doc, y, x, width);
  doc.x = contentLeft(doc);
  doc.y = y + 12;
}

// ---------------------------------------------------------------------------------------------------------------
// Table

export interface TableColumn {
  readonly header: string;
  /** Relative width: the columns share the content width in proportion to their weights. */
  readonly weight: number;
  /** Numbers are right-aligned so their digits line up. */
  readonly align?: Align;
}

export interface TableSpec {
  readonly columns: readonly TableColumn[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly fontSize?: number;
  /** Rows are at least this tall (a signature grid leaves room to write by hand). */
  readonly minRowHeight?: number;
  /**
   * Height of what must follow the table on the same page (totals, signatures): the last row moves to a new page
   * with it rather than leave the signatures alone on the last page.
   */
  readonly keepWithNext?: number;
}

/**
 * Column widths in proportion to the weights, widened where a header word would not fit (a header never breaks
 * mid-word: "Количество" stays whole), the width taken from columns that have room to spare.
 */
function columnWidths(doc: Doc, table: TableSpec, fontSize: number): number[] {
  const width = contentWidth(doc);
  const totalWeight = table.columns.reduce((sum, column) => sum + column.weight, 0);
  const widths = table.columns.map((column) => (column.weight / totalWeight) * width);
  useFont(doc, true, fontSize);
  // PDFKit's line wrapper measures a word with the space after it, and breaks the word when that does not fit.
  const minimum = table.columns.map(
    (column) =>
      Math.max(0, ...column.header.split(/\s+/).map((word) => doc.widthOfString(`${word} `))) +
      2 * THEME.cellPadding +
      1,
  );
  const deficit = widths.reduce((sum, w, i) => sum + Math.max(0, (minimum[i] ?? 0) - w), 0);
  const slack = widths.reduce((sum, w, i) => sum + Math.max(0, w - (minimum[i] ?? 0)), 0);
  if (deficit === 0 || slack <= 0) return widths;
  const share = Math.min(1, deficit / slack);
  return widths.map((w, i) => {
    const min = minimum[i] ?? 0;
    return w < min ? min : w - (w - min) * share;
  });
}

/**
 * Draws a table from `doc.y` on. Long cell text wraps inside its column; a row that does not fit on the page
 * moves whole to the next page, which starts with the header row again so every page can be read on its own.
 */
export function drawTable(doc: Doc, table: TableSpec): void {
  const fontSize = table.fontSize ?? THEME.size.table;
  const pad = THEME.cellPadding;
  const left = contentLeft(doc);
  const width = contentWidth(doc);
  const widths = columnWidths(doc, table, fontSize);
  const minRowHeight = table.minRowHeight ?? 0;
  const headers = table.columns.map((column) => column.header);

  // Most cells are lines that fit their column: those are measured and drawn line by line, without PDFKit's line
  // wrapper, which dominates the time of a long table (a 3,000-line manifest measures and draws 24,000 cells).
  // A line that does not fit goes through the wrapper as before.
  const fits = (cell: string, i: number): boolean =>
    cell.split('\n').every((line) => doc.widthOfString(line) <= (widths[i] ?? 0) - 2 * pad);

  const measure = (cells: readonly string[], bold: boolean): number => {
    useFont(doc, bold, fontSize);
    const lineHeight = doc.currentLineHeight(true);
    let height = 0;
    cells.forEach((cell, i) => {
      if (cell === '') return;
      const cellHeight = fits(cell, i)
        ? cell.split('\n').length * lineHeight
        : doc.heightOfString(cell, { width: (widths[i] ?? 0) - 2 * pad });
      height = Math.max(height, cellHeight);
    });
    return Math.max(height + 2 * pad, fontSize * 1.2 + 2 * pad, minRowHeight);
  };

  const drawRow = (cells: readonly string[], y: number, height: number, bold: boolean, fill?: string): void => {
    if (fill) doc.rect(left, y, width, height).fill(fill);
    useFont(doc, bold, fontSize);
    const lineHeight = doc.currentLineHeight(true);
    let x = left;
    cells.forEach((cell, i) => {
      const cellWidth = widths[i] ?? 0;
      const align = table.columns[i]?.align ?? 'left';
      if (cell !== '' && fits(cell, i)) {
        cell.split('\n').forEach((line, n) => {
          const free = cellWidth - 2 * pad - doc.widthOfString(line);
          const offset = align === 'right' ? free : align === 'center' ? free / 2 : 0;
          doc.text(line, x + pad + offset, y + pad + n * lineHeight, { lineBreak: false });
        });
      } else if (cell !== '') {
        doc.text(cell, x + pad, y + pad, { width: cellWidth - 2 * pad, align });
      }
      x += cellWidth;
    });
    rule(doc, y + height, left, width);
  };

  const headerHeight = measure(headers, true);
  const drawHeader = (y: number): number => {
    drawRow(headers, y, headerHeight, true, THEME.color.headerFill);
    return y + headerHeight;
  };

  // A header row alone at the foot of a page is useless: start on a new page unless the first row fits too.
  const firstRowHeight = table.rows[0] ? measure(table.rows[0], false) : 0;
  ensureSpace(doc, headerHeight + firstRowHeight);
  let y = drawHeader(doc.y);

  const last = table.rows.length - 1;
  table.rows.forEach((row, index) => {
    const height = index === 0 ? firstRowHeight : measure(row, false);
    const needed = index === last ? height + (table.keepWithNext ?? 0) : height;
    // `y > top` guards a row taller than a whole page: it is drawn (and clipped) instead of looping forever.
    if (y + needed > contentBottom(doc) && y > doc.page.margins.top + headerHeight) {
      doc.addPage();
      y = drawHeader(doc.page.margins.top);
    }
    drawRow(row, y, height, false, index % 2 === 1 ? THEME.color.stripe : undefined);
    y += height;
  });

  doc.x = left;
  doc.y = y + 10;
}

// ---------------------------------------------------------------------------------------------------------------
// Signatures, QR code, page frames

export interface SignatureParty {
  /** e.g. "Handed over by (donor)" */
  readonly title: string;
  /** Printed above the name line when known; otherwise the line is left blank to fill in by hand. */
  readonly name?: string;
}

export interface SignatureLabels {
  readonly fullName: string;
  readonly signature: string;
  readonly date: string;
  readonly stamp: string;
}

const SIGNATURE_LINE_GAP = 20;

/** One column per party with lines for name, signature and date, and a place for the stamp; never split. */
export function drawSignatureBlock(doc: Doc, parties: readonly SignatureParty[], text: SignatureLabels): void {
  const left = contentLeft(doc);
  const gap = 24;
  const columnWidth = (contentWidth(doc) - gap * (parties.length - 1)) / parties.length;
  const height = 16 + 3 * SIGNATURE_LINE_GAP + 12;
  ensureSpace(doc, height + 8);
  const top = doc.y + 8;

  parties.forEach((party, i) => {
    const x = left + i * (columnWidth + gap);
    useFont(doc, true, THEME.size.body).text(party.title, x, top, { width: columnWidth, lineBreak: false });
    const lines: Array<[string, string | undefined]> = [
      [text.fullName, party.name],
      [text.signature, undefined],
      [text.date, undefined],
    ];
    lines.forEach(([label, value], row) => {
      const baseline = top + 16 + (row + 1) * SIGNATURE_LINE_GAP;
      useFont(doc, false, THEME.size.small, THEME.color.muted);
      const labelWidth = doc.widthOfString(label) + 6;
      doc.text(label, x, baseline - THEME.size.small - 1, { lineBreak: false });
      rule(doc, baseline, x + labelWidth, columnWidth - labelWidth);
      if (value) {
        useFont(doc, false, THEME.size.body).text(value, x + labelWidth + 2, baseline - THEME.size.body - 3, {
          width: columnWidth - labelWidth - 2,
          lineBreak: false,
          ellipsis: true,
        });
      }
    });
    useFont(doc, false, THEME.size.small, THEME.color.muted).text(text.stamp, x, top + height - 8, {
      lineBreak: false,
    });
  });
  doc.x = left;
  doc.y = top + height + 8;
}

/**
 * The QR code as a PNG, ready for `doc.image` (or for a header's `qr`). Medium error correction survives a
 * crumpled or stamped-over receipt; the quiet zone of one module is enough because the code sits on white.
 */
export function makeQrCode(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 4 });
}

/**
 * Draws the running header (pages 2..N) and the footer with "Page X of Y" on every page. It runs after the
 * layout because only then is Y known; the bottom margin is lifted while drawing because PDFKit would otherwise
 * treat text in the margin as overflow and add a page.
 */
function drawPageFrames(doc: Doc, setup: DocumentSetup): void {
  const range = doc.bufferedPageRange();
  const text = labels(setup.lang);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const pageNumber = i - range.start + 1;
    const { margins } = doc.page;
    const bottomMargin = margins.bottom;
    const left = margins.left;
    const width = contentWidth(doc);
    margins.bottom = 0;

    const footerY = doc.page.height - bottomMargin + 18;
    rule(doc, footerY - 6, left, width);
    useFont(doc, false, THEME.size.small, THEME.color.muted);
    if (setup.footerText) {
      doc.text(setup.footerText, left, footerY, { width: width * 0.7, lineBreak: false, ellipsis: true });
    }
    doc.text(text.common.pageOf(pageNumber, range.count), left + width * 0.7, footerY, {
      width: width * 0.3,
      align: 'right',
      lineBreak: false,
    });
    if (setup.runningHeader && pageNumber > 1) {
      doc.text(`${setup.runningHeader} (${text.common.continued})`, left, margins.top - 24, {
        width,
        lineBreak: false,
        ellipsis: true,
      });
    }
    margins.bottom = bottomMargin;
  }
}
