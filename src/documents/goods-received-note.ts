/**
 * The goods received note: per line what was sent against what arrived good, damaged, short or in excess, with the
 * reason, lot and expiry and the bin it went to; signed by who delivered and who received. A blind count is said so.
 */
import { type CalendarDate, type DecimalValue, formatDate, formatDecimal } from './format';
import { type Lang, labels } from './labels';
import { drawParagraph, drawSignatureBlock, drawSummary, drawTable, renderPdf, type SummaryRow } from './layout';
import {
  type DocPlace,
  type DocUnit,
  documentSetup,
  drawShipmentFields,
  drawShipmentHeader,
  lineName,
  lotExpiryText,
  placeText,
  type ShipmentDocumentBase,
  SIGNATURE_BLOCK_HEIGHT,
  summaryHeight,
  unitText,
} from './shipment-document';
import { shipmentLabels } from './shipment-labels';

export interface ReceivedLine {
  readonly name: DocUnit;
  readonly sku?: string;
  readonly package?: string;
  readonly lot?: string;
  readonly expiry?: CalendarDate;
  readonly bin?: string;
  /** Every quantity in `unit` (the item's base unit). */
  readonly unit: DocUnit;
  readonly sent: DecimalValue;
  readonly good: DecimalValue;
  readonly damaged: DecimalValue;
  readonly short: DecimalValue;
  readonly excess: DecimalValue;
  readonly reason?: string;
}

export interface GoodsReceivedNoteData extends ShipmentDocumentBase {
  readonly receipt: {
    readonly receivedOn: CalendarDate;
    readonly expectedOn?: CalendarDate;
    readonly warehouse: DocPlace;
    readonly blind: boolean;
    readonly partial: boolean;
    readonly deliveredBy?: string;
    readonly receivedBy?: string;
  };
  readonly lines: readonly ReceivedLine[];
  /** Weights of what was received good, damaged, short and in excess (kg: different items add up by weight). */
  readonly totals: {
    readonly goodKg: DecimalValue;
    readonly damagedKg: DecimalValue;
    readonly shortKg: DecimalValue;
    readonly excessKg: DecimalValue;
  };
}

export async function renderGoodsReceivedNote(data: GoodsReceivedNoteData, lang: Lang): Promise<Buffer> {
  const t = shipmentLabels(lang);
  const g = t.goodsReceived;
  const c = t.columns;
  const text = labels(lang);
  const weight = (value: DecimalValue) => [`${formatDecimal(value, lang, 3)} ${text.units.kg}`];
  const totals: SummaryRow[] = [
    { label: t.totals.lines, values: [formatDecimal(data.lines.length, lang)] },
    { label: t.totals.received, values: weight(data.totals.goodKg) },
    { label: t.totals.damaged, values: weight(data.totals.damagedKg) },
    { label: t.totals.short, values: weight(data.totals.shortKg) },
    { label: t.totals.excess, values: weight(data.totals.excessKg) },
  ];
  const number = (v: DecimalValue) => formatDecimal(v, lang);
  // Ten columns of figures: landscape keeps item names and reasons readable.
  return renderPdf(documentSetup(data, g.title, lang, { landscape: true }), async (doc) => {
    await drawShipmentHeader(doc, data, g.title, lang);
    drawShipmentFields(doc, data, lang, [
      { label: t.fields.receivedOn, value: formatDate(data.receipt.receivedOn, lang, 'long') },
      ...(data.receipt.expectedOn
        ? [{ label: g.expectedOn, value: formatDate(data.receipt.expectedOn, lang, 'long') }]
        : []),
      { label: g.receivedBy, value: placeText(data.receipt.warehouse, lang) },
    ]);
    const notes = [data.receipt.partial ? g.partial : '', data.receipt.blind ? g.blind : ''].filter(Boolean);
    if (notes.length) drawParagraph(doc, notes.join('. '));
    drawTable(doc, {
      columns: [
        { header: c.index, weight: 4, align: 'right' },
        { header: c.item, weight: 22 },
        { header: c.lotExpiry, weight: 11 },
        { header: c.bin, weight: 7 },
        { header: c.sent, weight: 9, align: 'right' },
        { header: c.receivedGood, weight: 10, align: 'right' },
        { header: c.receivedDamaged, weight: 9, align: 'right' },
        { header: c.short, weight: 9, align: 'right' },
        { header: c.excess, weight: 8, align: 'right' },
        { header: c.reason, weight: 11 },
      ],
      rows: data.lines.map((line, i) => [
        String(i + 1),
        `${lineName({ name: line.name, sku: line.sku }, lang)}${line.package ? `\n${line.package}` : ''}`,
        lotExpiryText(line, lang),
        line.bin ?? text.common.none,
        `${number(line.sent)} ${unitText(line.unit, lang)}`,
        number(line.good),
        number(line.damaged),
        number(line.short),
        number(line.excess),
        line.reason ?? '',
      ]),
      keepWithNext: summaryHeight(totals) + SIGNATURE_BLOCK_HEIGHT,
    });
    drawSummary(doc, t.totals.heading, totals);
    drawSignatureBlock(
      doc,
      [
        { title: g.deliveredBy, name: data.receipt.deliveredBy },
        { title: g.receivedBy, name: data.receipt.receivedBy },
      ],
      text.signature,
    );
  });
}
