/**
 * The waybill: one per vehicle. Who sends what from where to whom, on which truck with which driver; the goods
 * with unit, unit weight, quantity, total kg and m³; then the signature grid (loaded by / transported by / received
 * by, with date, function, name, signature and condition) and the space where the receiver notes shortages and
 * damage before signing, or the claim against the carrier is lost.
 */
import type { Money } from './format';
import { type Lang, labels } from './labels';
import { drawSummary, drawTable, drawWritingBox, type Field, renderPdf, type TableColumn } from './layout';
import {
  type DocLine,
  type DocTotals,
  type DocTransportUnit,
  documentSetup,
  drawShipmentFields,
  drawShipmentHeader,
  kg,
  lineName,
  m3,
  moneyText,
  quantityText,
  type ShipmentDocumentBase,
  summaryHeight,
  totalsRows,
  vehicleText,
} from './shipment-document';
import { shipmentLabels } from './shipment-labels';

export interface WaybillData extends ShipmentDocumentBase {
  readonly vehicle: DocTransportUnit;
  /** The vehicle's goods, one line per item, lot and condition. */
  readonly lines: readonly (DocLine & { readonly value?: Money })[];
  readonly totals: DocTotals;
}

const GRID_ROW_HEIGHT = 34;
const REMARKS_HEIGHT = 70;

function lineColumns(lang: Lang): TableColumn[] {
  const c = shipmentLabels(lang).columns;
  return [
    { header: c.index, weight: 4, align: 'right' },
    { header: c.item, weight: 30 },
    { header: c.quantity, weight: 18, align: 'right' },
    { header: c.condition, weight: 9 },
    { header: c.unitWeight, weight: 10, align: 'right' },
    { header: c.weightKg, weight: 10, align: 'right' },
    { header: c.volume, weight: 8, align: 'right' },
    { header: c.value, weight: 11, align: 'right' },
  ];
}

function vehicleFields(vehicle: DocTransportUnit, lang: Lang): Field[] {
  const f = shipmentLabels(lang).fields;
  const none = labels(lang).common.none;
  const v = vehicle.vehicle ?? {};
  return [
    { label: f.transportUnit, value: vehicleText(vehicle, lang) },
    { label: f.carrier, value: v.carrier ?? none },
    { label: f.truckPlate, value: v.truckPlate ?? none },
    { label: f.trailerPlate, value: v.trailerPlate ?? none },
    { label: f.driver, value: [v.driverName, v.driverPhone].filter(Boolean).join(', ') || none },
  ];
}

export async function renderWaybill(data: WaybillData, lang: Lang): Promise<Buffer> {
  const t = shipmentLabels(lang);
  const text = labels(lang);
  const totals = totalsRows(data.totals, lang);
  const grid = t.waybill.signatureColumns;
  const rows = t.waybill.signatureRows;
  // The totals, the grid (header + three rows) and the remarks box stay on one page with the last line.
  const tail = summaryHeight(totals) + 24 + 4 * GRID_ROW_HEIGHT + REMARKS_HEIGHT + 30;

  return renderPdf(documentSetup(data, t.waybill.title, lang), async (doc) => {
    await drawShipmentHeader(doc, data, t.waybill.title, lang);
    drawShipmentFields(doc, data, lang, vehicleFields(data.vehicle, lang));
    drawTable(doc, {
      columns: lineColumns(lang),
      rows: data.lines.map((line, i) => [
        String(i + 1),
        lineName(line, lang),
        quantityText(line.quantity, lang),
        text.conditions[line.condition],
        kg(line.unitWeightKg, lang),
        kg(line.netKg, lang),
        m3(line.volumeM3, lang),
        moneyText(line.value, lang),
      ]),
      keepWithNext: tail,
    });
    drawSummary(doc, t.totals.heading, totals);
    drawTable(doc, {
      columns: [
        { header: grid.party, weight: 16 },
        { header: grid.date, weight: 12 },
        { header: grid.function, weight: 16 },
        { header: grid.name, weight: 20 },
        { header: grid.signature, weight: 16 },
        { header: grid.condition, weight: 20 },
      ],
      rows: [
        [rows.loadedBy, '', '', '', '', ''],
        [rows.transportedBy, '', '', data.vehicle.vehicle?.driverName ?? '', '', ''],
        [rows.receivedBy, '', '', '', '', ''],
      ],
      fontSize: 8,
      minRowHeight: GRID_ROW_HEIGHT,
      keepWithNext: REMARKS_HEIGHT,
    });
    drawWritingBox(doc, t.waybill.remarks, REMARKS_HEIGHT - 16);
  });
}
