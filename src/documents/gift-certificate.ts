/**
 * The gift (donation) certificate customs ask for: the donor, the beneficiary, the statement that the goods are a
 * humanitarian donation without commercial value and not for resale, and every line with its HS code, country of
 * origin, unit value and total value "for customs purposes only".
 */
import { type Lang, labels, pickText } from './labels';
import { drawFieldGrid, drawParagraph, drawSignatureBlock, drawSummary, drawTable, renderPdf } from './layout';
import {
  type DocLine,
  type DocParty,
  type DocTotals,
  documentSetup,
  drawShipmentHeader,
  kg,
  lineName,
  moneyText,
  partyText,
  quantityText,
  type ShipmentDocumentBase,
  SIGNATURE_BLOCK_HEIGHT,
  shipmentFields,
  summaryHeight,
  totalsRows,
} from './shipment-document';
import { shipmentLabels } from './shipment-labels';

export interface GiftCertificateData extends ShipmentDocumentBase {
  readonly donor: DocParty;
  readonly beneficiary: DocParty;
  readonly lines: readonly DocLine[];
  readonly totals: DocTotals;
  /** Who signs for the donor. */
  readonly signatory?: { readonly name: string; readonly position?: string };
  /** "Almaty, 2 March 2023" is written as place and date under the signature. */
  readonly place?: string;
}

export async function renderGiftCertificate(data: GiftCertificateData, lang: Lang): Promise<Buffer> {
  const t = shipmentLabels(lang);
  const g = t.giftCertificate;
  const c = t.columns;
  const totals = totalsRows(data.totals, lang);
  const none = labels(lang).common.none;
  return renderPdf(documentSetup(data, g.title, lang), async (doc) => {
    await drawShipmentHeader(doc, data, g.title, lang);
    drawFieldGrid(doc, [
      { label: g.donor, value: partyText(data.donor, lang) },
      { label: g.beneficiary, value: partyText(data.beneficiary, lang) },
      ...shipmentFields(data, lang).filter((f) => f.label !== t.fields.shipper && f.label !== t.fields.consignee),
      ...(data.place ? [{ label: g.placeAndDate, value: data.place }] : []),
    ]);
    drawParagraph(doc, `${g.statement} ${g.customsOnly}`);
    drawTable(doc, {
      columns: [
        { header: c.index, weight: 4, align: 'right' },
        { header: c.item, weight: 23 },
        { header: c.hsCode, weight: 13 },
        { header: c.originCountry, weight: 12 },
        { header: c.quantity, weight: 16, align: 'right' },
        { header: c.weightKg, weight: 9, align: 'right' },
        { header: c.unitValue, weight: 11, align: 'right' },
        { header: c.value, weight: 12, align: 'right' },
      ],
      rows: data.lines.map((line, i) => [
        String(i + 1),
        lineName(line, lang),
        line.hsCode ?? none,
        pickText(line.originCountry, lang) || none,
        quantityText(line.quantity, lang),
        kg(line.netKg, lang),
        moneyText(line.unitValue, lang),
        moneyText(line.value, lang),
      ]),
      keepWithNext: summaryHeight(totals) + SIGNATURE_BLOCK_HEIGHT,
    });
    drawSummary(doc, t.totals.heading, totals);
    drawSignatureBlock(
      doc,
      [
        { title: g.signatory, name: data.signatory?.name },
        { title: g.receivedBy, name: undefined },
      ],
      labels(lang).signature,
    );
  });
}
