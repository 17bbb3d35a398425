/**
 * The cargo manifest: every handling unit with its lines, weights and volume, grouped by transport unit, and the
 * shipment's totals. Printed for the whole shipment or for one transport unit (the copy that travels in the truck).
 */
import type { Lang } from './labels';
import { labels } from './labels';
import { drawParagraph, drawSignatureBlock, drawSummary, drawTable, renderPdf, type TableColumn } from './layout';
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
  lotExpiryText,
  m3,
  quantityText,
  type ShipmentDocumentBase,
  SIGNATURE_BLOCK_HEIGHT,
  summaryHeight,
  totalsRows,
  vehicleText,
} from './shipment-document';
import { shipmentLabels } from './shipment-labels';

export interface CargoManifestData extends ShipmentDocumentBase {
  /** Set when this manifest covers one transport unit only. */
  readonly transportUnit?: DocTransportUnit;
  readonly transportUnits: readonly DocTransportUnit[];
  readonly handlingUnits: readonly DocHandlingUnit[];
  readonly totals: DocTotals;
}

function columns(lang: Lang): TableColumn[] {
  const c = shipmentLabels(lang).columns;
  return [
    { header: c.package, weight: 17 },
    { header: c.item, weight: 23 },
    { header: c.quantity, weight: 15, align: 'right' },
    { header: c.condition, weight: 9 },
    { header: c.lotExpiry, weight: 11 },
    { header: c.netKg, weight: 9, align: 'right' },
    { header: c.grossKg, weight: 9, align: 'right' },
    { header: c.volume, weight: 8, align: 'right' },
  ];
}

/** One row per line; the unit's own cells (package, gross, volume) on its first line. */
function unitRows(unit: DocHandlingUnit, lang: Lang): string[][] {
  const text = labels(lang);
  const title = [handlingUnitTitle(unit, lang), unit.code, unit.parent].filter(Boolean).join('\n');
  if (unit.lines.length === 0) {
    return [
      [title, text.common.none, '', '', '', kg(unit.netKg, lang), kg(unit.grossKg, lang), m3(unit.volumeM3, lang)],
    ];
  }
  return unit.lines.map((line, i) => [
    i === 0 ? title : '',
    lineName(line, lang),
    quantityText(line.quantity, lang),
    text.conditions[line.condition],
    lotExpiryText(line, lang),
    kg(line.netKg, lang),
    i === 0 ? kg(unit.grossKg, lang) : '',
    i === 0 ? m3(unit.volumeM3, lang) : '',
  ]);
}

export async function renderCargoManifest(data: CargoManifestData, lang: Lang): Promise<Buffer> {
  const t = shipmentLabels(lang);
  const title = data.transportUnit ? t.manifest.unitTitle : t.manifest.title;
  const totals = totalsRows(data.totals, lang);
  const signatures = SIGNATURE_BLOCK_HEIGHT + summaryHeight(totals);
  // Group by transport unit in the order the shipment lists them; units not yet assigned come last.
  const groups: { unit?: DocTransportUnit; handlingUnits: DocHandlingUnit[] }[] = data.transportUnits.map((unit) => ({
    unit,
    handlingUnits: data.handlingUnits.filter((h) => h.transportUnit === unit.code),
  }));
  const known = new Set(data.transportUnits.map((u) => u.code));
  const loose = data.handlingUnits.filter((h) => !h.transportUnit || !known.has(h.transportUnit));
  if (loose.length) groups.push({ handlingUnits: loose });
  const drawn = groups.filter((g) => g.handlingUnits.length > 0);

  return renderPdf(documentSetup(data, title, lang), async (doc) => {
    await drawShipmentHeader(doc, data, title, lang);
    drawShipmentFields(
      doc,
      data,
      lang,
      data.transportUnit ? [{ label: t.fields.transportUnit, value: vehicleText(data.transportUnit, lang) }] : [],
    );
    drawn.forEach((group, index) => {
      if (group.unit && !data.transportUnit) {
        drawParagraph(doc, vehicleText(group.unit, lang), { heading: t.fields.transportUnit });
      }
      drawTable(doc, {
        columns: columns(lang),
        rows: group.handlingUnits.flatMap((unit) => unitRows(unit, lang)),
        keepWithNext: index === drawn.length - 1 ? signatures : 0,
      });
    });
    drawSummary(doc, t.totals.heading, totals);
    drawSignatureBlock(
      doc,
      [
        { title: t.fields.shipper, name: undefined },
        { title: t.fields.carrier, name: data.transportUnit?.vehicle?.driverName },
      ],
      labels(lang).signature,
    );
  });
}
