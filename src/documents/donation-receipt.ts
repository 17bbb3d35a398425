/**
 * The donation receipt a donor takes home: what was received, in what condition, what it weighs and is worth,
 * signed by both sides, with a QR code that leads back to the record. A pure function of its data: the caller
 * (the donations module) reads the database, computes the totals exactly and picks the dates; this file only
 * lays them out, so the same data always gives the same PDF bytes.
 */
import {
  type CalendarDate,
  DEFAULT_TIME_ZONE,
  type DecimalValue,
  formatDate,
  formatDecimal,
  formatMoney,
  type Money,
  toInstant,
} from './format';
import {
  type ItemCondition,
  type Lang,
  type LocalizedText,
  labels,
  pickText,
  type UnitCode,
  unitLabel,
} from './labels';
import {
  drawDocumentHeader,
  drawFieldGrid,
  drawParagraph,
  drawSignatureBlock,
  drawSummary,
  drawTable,
  type Field,
  makeQrCode,
  renderPdf,
  type SummaryRow,
  type TableColumn,
} from './layout';

export interface OrganisationHeader {
  readonly name: LocalizedText;
  readonly bin?: string;
  readonly address?: LocalizedText;
  readonly phone?: string;
  readonly email?: string;
}

export type ReceiptDonor =
  | { readonly anonymous: true }
  | {
      readonly anonymous?: false;
      readonly name: LocalizedText;
      /** BIN for organisations; an individual's IIN is deliberately not printed on a receipt. */
      readonly bin?: string;
      readonly country?: LocalizedText;
      readonly contact?: string;
    };

export interface ReceiptQuantity {
  /** A decimal ("12.5", 3) is formatted for the language; any other string is printed as given. */
  readonly value: DecimalValue;
  /** A catalog unit code, or the caller's own wording for a pack ("box of 12"). */
  readonly unit: UnitCode | LocalizedText;
}

export interface DonationReceiptLine {
  /** One string, or {kk, ru, en}: a missing translation falls back to the nearest one. */
  readonly name: LocalizedText;
  readonly sku?: string;
  readonly quantity: ReceiptQuantity;
  readonly condition: ItemCondition;
  readonly lot?: string;
  readonly expiry?: CalendarDate;
  readonly weightKg?: DecimalValue;
  readonly estimatedValue?: Money;
}

export interface DonationReceiptTotals {
  /** Count of countable units (pieces, kits, boxes as the caller counts them). */
  readonly pieces?: DecimalValue;
  /** The caller chooses kg or tonnes (the "kg or tonnes") and converts exactly. */
  readonly weight?: { readonly value: DecimalValue; readonly unit: 'kg' | 'tonne' };
  /** One amount per currency: KZT and USD are never added together. */
  readonly values: readonly Money[];
}

export interface DonationReceiptData {
  readonly receiptNumber: string;
  /** When the receipt was issued; also the PDF creation date, so rendering twice gives identical bytes. */
  readonly issuedAt: Date | string;
  /** IANA zone for `issuedAt`; Asia/Almaty (UTC+5) unless the caller knows better. */
  readonly timeZone?: string;
  readonly organisation: OrganisationHeader;
  readonly verification: {
    /** Printed under the QR code so the receipt can be checked by typing it in. */
    readonly reference: string;
    /** What the QR code carries; the reference alone when there is no public URL. */
    readonly url?: string;
  };
  readonly donor: ReceiptDonor;
  readonly warehouse: { readonly name: LocalizedText; readonly code?: string; readonly address?: LocalizedText };
  readonly receivedOn: CalendarDate;
  /** The staff member who accepted the goods; their name is printed on the signature line. */
  readonly receivedBy?: { readonly name: string; readonly position?: LocalizedText };
  readonly lines: readonly DonationReceiptLine[];
  readonly totals: DonationReceiptTotals;
  readonly notes?: LocalizedText;
}

const COLUMN_WEIGHTS = {
  index: 4,
  item: 24,
  quantity: 9,
  unit: 10,
  condition: 12,
  lotExpiry: 13,
  weightKg: 11,
  value: 15,
} as const;

/** Renders the receipt in `lang` and resolves with the PDF file. */
export async function renderDonationReceipt(data: DonationReceiptData, lang: Lang): Promise<Buffer> {
  const text = labels(lang);
  const t = text.donationReceipt;
  const timeZone = data.timeZone ?? DEFAULT_TIME_ZONE;
  const issuedAt = toInstant(data.issuedAt);
  const organisationName = pickText(data.organisation.name, lang);
  const numbered = `${t.title} ${text.common.number} ${data.receiptNumber}`;
  const qr = await makeQrCode(data.verification.url ?? data.verification.reference);

  return renderPdf(
    {
      lang,
      title: numbered,
      author: organisationName,
      createdAt: issuedAt,
      footerText: `${organisationName} · ${numbered}`,
      runningHeader: numbered,
    },
    (doc) => {
      drawDocumentHeader(doc, {
        organisation: { name: organisationName, details: organisationDetails(data.organisation, lang) },
        title: t.title,
        subtitle: `${text.common.number} ${data.receiptNumber}  ·  ${formatDate(issuedAt, lang, 'long', timeZone)}`,
        qr: { png: qr, caption: `${t.scanToVerify}\n${data.verification.reference}` },
      });
      drawFieldGrid(doc, receiptFields(data, lang));
      drawParagraph(doc, t.statement);
      drawTable(doc, {
        columns: receiptColumns(lang),
        rows: data.lines.map((line, index) => receiptRow(line, index, lang)),
      });
      drawSummary(doc, t.totals.heading, summaryRows(data, lang));
      const notes = pickText(data.notes, lang);
      if (notes) drawParagraph(doc, notes, { heading: text.common.notes });
      drawSignatureBlock(
        doc,
        [
          { title: t.handedOverBy, name: data.donor.anonymous ? undefined : pickText(data.donor.name, lang) },
          { title: t.acceptedBy, name: data.receivedBy?.name },
        ],
        text.signature,
      );
    },
  );
}

export function organisationDetails(organisation: OrganisationHeader, lang: Lang): string[] {
  const details: string[] = [];
  const address = pickText(organisation.address, lang);
  if (address) details.push(address);
  if (organisation.bin) details.push(`${labels(lang).common.bin} ${organisation.bin}`);
  if (organisation.phone) details.push(organisation.phone);
  if (organisation.email) details.push(organisation.email);
  return details;
}

function donorDescription(donor: ReceiptDonor, lang: Lang): string {
  const text = labels(lang);
  if (donor.anonymous) return text.donationReceipt.anonymousDonor;
  const parts = [pickText(donor.name, lang)];
  if (donor.bin) parts.push(`${text.common.bin} ${donor.bin}`);
  const country = pickText(donor.country, lang);
  if (country) parts.push(country);
  if (donor.contact) parts.push(donor.contact);
  return parts.join(', ');
}

function receiptFields(data: DonationReceiptData, lang: Lang): Field[] {
  const t = labels(lang).donationReceipt;
  const warehouse = [data.warehouse.code, pickText(data.warehouse.name, lang)].filter(Boolean).join(' — ');
  const warehouseAddress = pickText(data.warehouse.address, lang);
  const fields: Field[] = [
    { label: t.donor, value: donorDescription(data.donor, lang) },
    { label: t.warehouse, value: warehouseAddress ? `${warehouse}\n${warehouseAddress}` : warehouse },
    { label: t.receivedOn, value: formatDate(data.receivedOn, lang, 'long') },
    { label: t.verification, value: data.verification.reference },
  ];
  if (data.receivedBy) {
    const position = pickText(data.receivedBy.position, lang);
    fields.push({
      label: t.receivedBy,
      value: position ? `${data.receivedBy.name}, ${position}` : data.receivedBy.name,
    });
  }
  return fields;
}

function receiptColumns(lang: Lang): TableColumn[] {
  const c = labels(lang).donationReceipt.columns;
  return [
    { header: c.index, weight: COLUMN_WEIGHTS.index, align: 'right' },
    { header: c.item, weight: COLUMN_WEIGHTS.item },
    { header: c.quantity, weight: COLUMN_WEIGHTS.quantity, align: 'right' },
    { header: c.unit, weight: COLUMN_WEIGHTS.unit },
    { header: c.condition, weight: COLUMN_WEIGHTS.condition },
    { header: c.lotExpiry, weight: COLUMN_WEIGHTS.lotExpiry },
    { header: c.weightKg, weight: COLUMN_WEIGHTS.weightKg, align: 'right' },
    { header: c.value, weight: COLUMN_WEIGHTS.value, align: 'right' },
  ];
}

function receiptRow(line: DonationReceiptLine, index: number, lang: Lang): string[] {
  const text = labels(lang);
  const name = pickText(line.name, lang);
  const lotExpiry = [line.lot, line.expiry ? formatDate(line.expiry, lang) : undefined].filter(Boolean).join('\n');
  return [
    String(index + 1),
    line.sku ? `${name}\n${line.sku}` : name,
    formatDecimal(line.quantity.value, lang),
    unitLabel(line.quantity.unit, lang),
    text.conditions[line.condition],
    lotExpiry || text.common.none,
    line.weightKg === undefined ? text.common.none : formatDecimal(line.weightKg, lang, 3),
    line.estimatedValue ? formatMoney(line.estimatedValue, lang) : text.common.none,
  ];
}

function summaryRows(data: DonationReceiptData, lang: Lang): SummaryRow[] {
  const text = labels(lang);
  const t = text.donationReceipt.totals;
  const rows: SummaryRow[] = [{ label: t.lines, values: [formatDecimal(data.lines.length, lang)] }];
  if (data.totals.pieces !== undefined) {
    rows.push({ label: t.pieces, values: [formatDecimal(data.totals.pieces, lang)] });
  }
  if (data.totals.weight) {
    const { value, unit } = data.totals.weight;
    rows.push({ label: t.weight, values: [`${formatDecimal(value, lang)} ${text.units[unit]}`] });
  }
  if (data.totals.values.length > 0) {
    rows.push({ label: t.value, values: data.totals.values.map((money) => formatMoney(money, lang)) });
  }
  return rows;
}
