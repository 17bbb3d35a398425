/**
 * The donation receipt: gathers a received donation's data (donor, warehouse, items), computes its totals exactly
 * and hands them to the pure renderer in src/documents. The QR code carries the receipt's verification URL
 * (`<ASAR_PUBLIC_URL>/verify/<code>`, modules/verification) and the code is printed next to it for those who type it.
 */
import { config } from '../../config';
import type { DocumentFile } from '../../core/document-file';
import { AppError } from '../../core/errors';
import {
  type DonationReceiptData,
  type DonationReceiptLine,
  renderDonationReceipt,
} from '../../documents/donation-receipt';
import type { Money } from '../../documents/format';
import type { Lang, LocalizedText, UnitCode } from '../../documents/labels';
import type { Actor } from '../access';
import { formatRatio, gramsOf, itemsByIds, unitFamily } from '../catalog';
import { getDonorRecord } from '../donors';
import { issueVerificationCode } from '../verification';
import { getWarehouse } from '../warehouses';
import type { DonationRecord } from './donations.model';
import { formatMinor, getDonationRecord } from './donations.service';

const RECEIPT_UNITS: Record<string, UnitCode> = { t: 'tonne', l: 'litre' };
const GRAMS_PER_TONNE = 1_000_000;

function countryName(code: string): LocalizedText {
  const name = (lang: Lang) => new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  return { kk: name('kk'), ru: name('ru'), en: name('en') };
}

/** The day of an instant in Kazakhstan (UTC+5), as YYYY-MM-DD. */
function calendarDay(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Almaty',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

export async function donationReceiptData(donation: DonationRecord, actor: Actor): Promise<DonationReceiptData> {
  if (donation.status !== 'received' && donation.status !== 'reversed') {
    throw new AppError(
      'INVALID_STATE',
      `Donation ${donation.number} is ${donation.status}: a receipt exists once it is received`,
      {
        status: donation.status,
      },
    );
  }
  const [donor, warehouse, items, verification] = await Promise.all([
    getDonorRecord(String(donation.donorId), actor),
    getWarehouse(String(donation.warehouseId), actor),
    itemsByIds(donation.lines.map((l) => l.itemId)),
    issueVerificationCode({
      documentType: 'donation_receipt',
      documentId: donation._id,
      organisationId: donation.organisationId,
    }),
  ]);
  const byId = new Map(items.map((i) => [String(i._id), i]));
  let grams = 0n;
  let pieces = 0n;
  const values = new Map<string, bigint>();
  const lines = donation.lines.map((line): DonationReceiptLine => {
    const item = byId.get(String(line.itemId));
    const lineGrams = item ? gramsOf(item, line.quantity) : null;
    if (lineGrams !== null) grams += lineGrams;
    if (item && unitFamily(item.baseUnit) === 'count') pieces += BigInt(line.quantity);
    if (line.estimatedValue) {
      const { currency, amountMinor } = line.estimatedValue;
      values.set(currency, (values.get(currency) ?? 0n) + BigInt(amountMinor));
    }
    return {
      name: item?.name ?? String(line.itemId),
      sku: item?.sku,
      quantity: {
        value: line.enteredQuantity,
        unit: RECEIPT_UNITS[line.enteredUnit] ?? (line.enteredUnit as UnitCode),
      },
      condition: line.condition,
      lot: line.lot ?? undefined,
      expiry: line.expiryDate ? line.expiryDate.toISOString().slice(0, 10) : undefined,
      weightKg: lineGrams === null ? undefined : formatRatio(lineGrams, 1000),
      estimatedValue: line.estimatedValue
        ? { amount: formatMinor(line.estimatedValue.amountMinor), currency: line.estimatedValue.currency }
        : undefined,
    };
  });
  const weight =
    grams === 0n
      ? undefined
      : grams >= BigInt(GRAMS_PER_TONNE)
        ? { value: formatRatio(grams, GRAMS_PER_TONNE), unit: 'tonne' as const }
        : { value: formatRatio(grams, 1000), unit: 'kg' as const };
  const totalValues: Money[] = [...values.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => ({ currency, amount: formatMinor(minor) }));
  return {
    receiptNumber: donation.number,
    issuedAt: donation.postedAt ?? donation.receivedAt,
    organisation: { name: config.orgName },
    verification: { reference: verification.display, url: verification.url },
    donor: donor.anonymous
      ? { anonymous: true }
      : {
          name: donor.name ?? '',
          country: countryName(donor.country),
          contact: [donor.contact.phone, donor.contact.email].filter(Boolean).join(', ') || undefined,
        },
    warehouse: {
      name: warehouse.name,
      code: warehouse.code,
      address: [warehouse.city, warehouse.address].filter(Boolean).join(', '),
    },
    receivedOn: calendarDay(donation.receivedAt),
    receivedBy: donation.receivedBy ? { name: donation.receivedBy.name } : undefined,
    lines,
    totals: { pieces: pieces === 0n ? undefined : String(pieces), weight, values: totalValues },
    notes: donation.notes ?? undefined,
  };
}

/** The receipt as a file: the PDF, named after the donation's number and the language. */
export async function donationReceiptPdf(id: string, lang: Lang, actor: Actor): Promise<DocumentFile> {
  const donation = await getDonationRecord(id, actor);
  const file = await renderDonationReceipt(await donationReceiptData(donation, actor), lang);
  return { file, filename: `${donation.number}-${lang}.pdf`, contentType: 'application/pdf' };
}
