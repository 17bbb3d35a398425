/**
 * A6 labels for handling units, one per page: "Pallet 3 / 600" in large type, from, to, the shipment number, the
 * weight and a QR code carrying the unit's reference, so a scanner at the receiving end finds the unit and its
 * shipment.
 */

import { FONT } from './fonts';
import { type Lang, labels, pickText } from './labels';
import { makeQrCode, renderPdf } from './layout';
import {
  type DocHandlingUnit,
  type DocParty,
  type DocPlace,
  documentSetup,
  handlingUnitTitle,
  kg,
  placeText,
  type ShipmentDocumentBase,
} from './shipment-document';
import { shipmentLabels } from './shipment-labels';

export interface LabelUnit extends Pick<DocHandlingUnit, 'kind' | 'number' | 'of' | 'code' | 'grossKg' | 'parent'> {
  /** What the QR code carries: the shipment, the unit and the verification reference. */
  readonly qr: string;
}

export interface HandlingUnitLabelsData extends ShipmentDocumentBase {
  readonly units: readonly LabelUnit[];
}

function where(party: DocParty, place: DocPlace, lang: Lang): string {
  return [pickText(party.name, lang), placeText(place, lang)].filter(Boolean).join('\n');
}

export async function renderHandlingUnitLabels(data: HandlingUnitLabelsData, lang: Lang): Promise<Buffer> {
  const t = shipmentLabels(lang);
  const qrs = await Promise.all(data.units.map((unit) => makeQrCode(unit.qr)));
  return renderPdf(
    documentSetup(data, t.label.title, lang, {
      size: 'A6',
      runningHeader: undefined,
      footerText: `${t.fields.shipment} ${data.shipment.number}`,
    }),
    (doc) => {
      data.units.forEach((unit, i) => {
        if (i > 0) doc.addPage();
        const left = doc.page.margins.left;
        const width = doc.page.width - left - doc.page.margins.right;
        let y = doc.page.margins.top;
        doc.font(FONT.bold).fontSize(9).fillColor('#1a1a1a').text(t.label.title, left, y, { width });
        y = doc.y + 4;
        doc.font(FONT.bold).fontSize(24).text(handlingUnitTitle(unit, lang), left, y, { width });
        y = doc.y + 2;
        doc
          .font(FONT.regular)
          .fontSize(10)
          .text([unit.code, unit.parent].filter(Boolean).join(' · '), left, y, { width });
        y = doc.y + 8;
        const field = (label: string, value: string) => {
          doc.font(FONT.regular).fontSize(7).fillColor('#5c6770').text(label, left, y, { width });
          doc
            .font(FONT.regular)
            .fontSize(9)
            .fillColor('#1a1a1a')
            .text(value, left, doc.y + 1, { width: width - 0 });
          y = doc.y + 5;
        };
        field(t.label.from, where(data.shipper, data.origin, lang));
        field(t.label.to, where(data.consignee, data.destination, lang));
        field(t.fields.shipment, data.shipment.number);
        field(t.label.weight, `${kg(unit.grossKg, lang)} ${labels(lang).units.kg}`);
        const size = 96;
        const bottom = doc.page.height - doc.page.margins.bottom;
        doc.image(qrs[i] as Buffer, left + width - size, Math.max(y, bottom - size), { width: size, height: size });
      });
    },
  );
}
