/**
 * The packing list: one row per package numbered n/N (pallets, and the boxes inside them), what it contains, its net
 * and gross weight, its dimensions and volume, under the containers and seals that carry them. No prices.
 */
import { formatDecimal } from './format';
import { type Lang, labels } from './labels';
import { drawSignatureBlock, drawSummary, drawTable, type Field, renderPdf, type TableColumn } from './layout';
import {
  type DocHandlingUnit,
  type DocTotals,
  type DocTransportUnit,
  documentSetup,
  drawShipmentFields,
  drawShipmentHeader,
  handlingUnitTitle,
  kg,
  lineName,
  m3,
  quantityText,
  type ShipmentDocumentBase,
  SIGNATURE_BLOCK_HEIGHT,
  summaryHeight,
  totalsRows,
  vehicleText,
} from './shipment-document';
import { shipmentLabels } from './shipment-labels';

export interface PackingListData extends ShipmentDocumentBase {
  readonly transportUnits: readonly DocTransportUnit[];
  readonly handlingUnits: readonly DocHandlingUnit[];
  readonly totals: DocTotals;
}

function columns(lang: Lang): TableColumn[] {
  const c = shipmentLabels(lang).columns;
  return [
    { header: c.package, weight: 16 },
    { header: c.contents, weight: 36 },
    { header: c.netKg, weight: 10, align: 'right' },
    { header: c.grossKg, weight: 10, align: 'right' },
    { header: c.dimensions, weight: 16, align: 'right' },
    { header: c.volume, weight: 9, align: 'right' },
  ];
}

function dimensions(unit: DocHandlingUnit, lang: Lang): string {
  const d = unit.dimensionsCm;
  if (!d) return labels(lang).common.none;
  return [d.length, d.width, d.height].map((v) => formatDecimal(v, lang, 1)).join('×');
}

function row(unit: DocHandlingUnit, lang: Lang): string[] {
  const contents = unit.lines.map(
    (line) => `${lineName(line, lang).replace('\n', ' · ')}: ${quantityText(line.quantity, lang)}`,
  );
  return [
    [handlingUnitTitle(unit, lang), unit.code, unit.parent].filter(Boolean).join('\n'),
    contents.join('\n') || labels(lang).common.none,
    kg(unit.netKg, lang),
    kg(unit.grossKg, lang),
    dimensions(unit, lang),
    m3(unit.volumeM3, lang),
  ];
}

export async function renderPackingList(data: PackingListData, lang: Lang): Promise<Buffer> {
  const t = shipmentLabels(lang);
  const totals = totalsRows(data.totals, lang);
  const containers: Field[] = data.transportUnits
    .filter((u) => u.container)
    .map((u) => ({ label: t.fields.container, value: vehicleText(u, lang) }));
  return renderPdf(documentSetup(data, t.packingList.title, lang), async (doc) => {
    await drawShipmentHeader(doc, data, t.packingList.title, lang);
    drawShipmentFields(doc, data, lang, containers);
    drawTable(doc, {
      columns: columns(lang),
      rows: data.handlingUnits.map((unit) => row(unit, lang)),
      keepWithNext: summaryHeight(totals) + SIGNATURE_BLOCK_HEIGHT,
    });
    drawSummary(doc, t.totals.heading, totals);
    drawSignatureBlock(doc, [{ title: t.packingList.packedBy }], labels(lang).signature);
  });
}
