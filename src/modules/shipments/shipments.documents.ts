/**
 * The shipment's documents: gathers a shipment's data (parties, places, transport and handling units, items with
 * their customs fields), computes every total exactly and hands it to the pure renderers in src/documents.
 *
 * Each document gets a number from an atomic counter the first time it is printed, with its date, kept in
 * `shipment_documents`, and the verification module's code for it (the QR code is the public verification page's
 * address: anyone holding the paper, a customs officer or a receiver, checks it is genuine; see
 * verifiedShipmentDocument for what that page shows). Printing again reuses them, and the shipment's contents are frozen from packing on (receipts are frozen once
 * posted), so a reprint is the same file, byte for byte.
 */
import type { Types } from 'mongoose';
import { config } from '../../config';
import type { DocumentFile } from '../../core/document-file';
import { AppError, notFound } from '../../core/errors';
import { renderCargoManifest } from '../../documents/cargo-manifest';
import type { Money } from '../../documents/format';
import { renderGiftCertificate } from '../../documents/gift-certificate';
import { renderGoodsReceivedNote } from '../../documents/goods-received-note';
import { renderHandlingUnitLabels } from '../../documents/handling-unit-labels';
import type { Lang, LocalizedText } from '../../documents/labels';
import { renderPackingList } from '../../documents/packing-list';
import type {
  DocHandlingUnit,
  DocLine,
  DocParty,
  DocPlace,
  DocTotals,
  DocTransportUnit,
  ShipmentDocumentBase,
} from '../../documents/shipment-document';
import { handlingUnitTitle } from '../../documents/shipment-document';
import { shipmentLabels } from '../../documents/shipment-labels';
import { renderWaybill } from '../../documents/waybill';
import type { Actor } from '../access';
import { acrossOrganisations, owned } from '../access';
import type { ItemRecord } from '../catalog';
import { formatRatio, fromSubUnits, gramsOf, subUnitsPerBaseUnit } from '../catalog';
import { reserveDocumentNumber } from '../numbering';
import { organisationParty } from '../organisations';
import { issueVerificationCode } from '../verification';
import { warehousesByIds } from '../warehouses';
import { lineVolumeCm3, shipmentTotals, unitTotals } from './shipment-totals';
import {
  HandlingUnit,
  type HandlingUnitLine,
  type HandlingUnitRecord,
  type PartyRecord,
  type PlaceRecord,
  Shipment,
  ShipmentDocument,
  type ShipmentDocumentRecord,
  type ShipmentDocumentType,
  type ShipmentReceiptRecord,
  type ShipmentRecord,
} from './shipments.model';
import { receiptOf } from './shipments.receiving';
import { itemsOf, kgOf, loadShipment, m3Of, unitNumbers, unitsOf } from './shipments.service';

const PREFIX: Record<ShipmentDocumentType, string> = {
  manifest: 'MAN',
  unit_manifest: 'MAN',
  waybill: 'WB',
  packing_list: 'PL',
  gift_certificate: 'GC',
  goods_received_note: 'GRN',
  labels: 'LBL',
};

/** States from which the contents are frozen and documents can be printed. */
const PRINTABLE = ['packed', 'dispatched', 'arrived', 'received', 'received_with_discrepancies', 'closed', 'lost'];

function assertPrintable(shipment: ShipmentRecord): void {
  // An inbound shipment's declared contents can be printed while it is expected (to check the container against).
  if (PRINTABLE.includes(shipment.status) || (shipment.kind === 'inbound' && shipment.status === 'expected')) return;
  throw new AppError(
    'INVALID_STATE',
    `Shipment ${shipment.number} is ${shipment.status}: documents are printed once it is packed`,
    {
      status: shipment.status,
    },
  );
}

/**
 * The document's number, date and reference: taken the first time the actor's organisation prints it, the same on
 * every reprint. Each organisation keeps its own copies' records (the shipper's manifest, the consignee's GRN; a
 * consignee printing the shipper's manifest gets its own numbered copy), so nobody writes another's records.
 */
async function documentRecord(
  actor: Actor,
  shipment: ShipmentRecord,
  type: ShipmentDocumentType,
  scopeId: Types.ObjectId | null,
  fixedNumber?: string,
  fixedDate?: Date,
): Promise<ShipmentDocumentRecord> {
  const documents = owned(ShipmentDocument, actor);
  const filter = { shipmentId: shipment._id, type, scopeId };
  const existing = await documents.findOne(filter).lean<ShipmentDocumentRecord>();
  if (existing) return existing;
  const record = {
    ...filter,
    number: fixedNumber ?? (await reserveDocumentNumber(PREFIX[type])),
    // Whole seconds: the PDF's creation date has no finer grain, and the reprint must match it.
    issuedAt: new Date(Math.floor((fixedDate ?? new Date()).getTime() / 1000) * 1000),
  };
  try {
    await documents.insertMany([record], { lean: true });
  } catch (error) {
    // Printed twice at once: the other print took the number first (this number is left unused).
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
  return (await documents.findOne(filter).lean<ShipmentDocumentRecord>()) as ShipmentDocumentRecord;
}

const regionNames = new Map<Lang, Intl.DisplayNames>();
const countryNames = new Map<string, LocalizedText>();

/** A country's name in the three languages (built once per code: a 3,000-line manifest asks for it per line). */
function countryName(code: string | null): LocalizedText | undefined {
  if (!code) return undefined;
  const known = countryNames.get(code);
  if (known) return known;
  const name = (lang: Lang) => {
    let names = regionNames.get(lang);
    if (!names) {
      names = new Intl.DisplayNames([lang], { type: 'region' });
      regionNames.set(lang, names);
    }
    return names.of(code) ?? code;
  };
  const names = { kk: name('kk'), ru: name('ru'), en: name('en') };
  countryNames.set(code, names);
  return names;
}

function calendarDay(date: Date | null | undefined): string | undefined {
  if (!date) return undefined;
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Almaty',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

function partyOf(p: PartyRecord): DocParty {
  return {
    name: p.name,
    country: countryName(p.country),
    address: p.address ?? undefined,
    contact: p.contact ?? undefined,
  };
}

/** Places as the shipment recorded them when planned (name, warehouse code, address): no warehouse is read. */
function placesOf(shipment: ShipmentRecord): { origin: DocPlace; destination: DocPlace } {
  const place = (p: PlaceRecord): DocPlace => ({
    name: p.name ?? '',
    code: p.code ?? undefined,
    address: p.address || undefined,
  });
  return { origin: place(shipment.origin), destination: place(shipment.destination) };
}

async function baseOf(
  shipment: ShipmentRecord,
  record: ShipmentDocumentRecord,
  owner: Types.ObjectId,
): Promise<ShipmentDocumentBase> {
  const [org, code] = await Promise.all([
    organisationParty(owner),
    issueVerificationCode({
      documentType: `shipment_${record.type}`,
      documentId: record._id,
      organisationId: record.organisationId,
    }),
  ]);
  const places = placesOf(shipment);
  const donors = shipment.donors ?? [];
  const s = shipment;
  return {
    documentNumber: record.number,
    issuedAt: record.issuedAt,
    organisation: {
      name: org?.name ?? config.orgName,
      bin: org?.bin ?? undefined,
      address: org?.address ?? undefined,
      phone: org?.phone ?? undefined,
      email: org?.email ?? undefined,
    },
    verification: { reference: code.display, url: code.url },
    shipment: {
      number: s.number,
      kind: s.kind,
      mode: s.mode ?? undefined,
      plannedDispatch: calendarDay(s.plannedDispatchAt),
      dispatchedOn: calendarDay(s.dispatchedAt),
      arrivedOn: calendarDay(s.arrivedAt),
      references: Object.fromEntries(
        Object.entries(s.references).filter(([, v]) => v),
      ) as ShipmentDocumentBase['shipment']['references'],
      declaredValue: s.declaredValue
        ? { amount: formatRatio(s.declaredValue.amountMinor, 100), currency: s.declaredValue.currency }
        : undefined,
    },
    shipper: partyOf(s.shipper),
    consignee: partyOf(s.consignee),
    origin: places.origin,
    destination: places.destination,
    donors: donors.map((d) => ({ name: d.name ?? '—', country: countryName(d.country) })),
    notes: s.notes ?? undefined,
  };
}

function transportUnitsOf(shipment: ShipmentRecord): DocTransportUnit[] {
  return shipment.transportUnits.map((t) => ({
    code: t.code,
    kind: t.kind,
    vehicle: t.vehicle
      ? {
          truckPlate: t.vehicle.truckPlate ?? undefined,
          trailerPlate: t.vehicle.trailerPlate ?? undefined,
          driverName: t.vehicle.driverName ?? undefined,
          driverPhone: t.vehicle.driverPhone ?? undefined,
          carrier: t.vehicle.carrier ?? undefined,
        }
      : undefined,
    container: t.container
      ? { number: t.container.number, type: t.container.type, seals: t.container.seals }
      : undefined,
  }));
}

/** Value of `quantity` sub-units at the item's unit value, in minor units (rounded to the nearest). */
function valueMinor(item: ItemRecord | undefined, quantity: number): { minor: bigint; currency: string } | null {
  if (!item?.unitValue) return null;
  const perBase = BigInt(subUnitsPerBaseUnit(item.baseUnit));
  const minor = (BigInt(quantity) * BigInt(item.unitValue.amountMinor) * 2n + perBase) / (perBase * 2n);
  return { minor, currency: item.unitValue.currency };
}

function lineValue(item: ItemRecord | undefined, quantity: number): Money | undefined {
  const value = valueMinor(item, quantity);
  return value ? { amount: formatRatio(value.minor, 100), currency: value.currency } : undefined;
}

function docLine(
  line: Pick<
    HandlingUnitLine,
    'itemId' | 'quantity' | 'enteredQuantity' | 'enteredUnit' | 'lot' | 'expiryDate' | 'condition'
  >,
  items: ReadonlyMap<string, ItemRecord>,
): DocLine {
  const item = items.get(String(line.itemId));
  const grams = item ? gramsOf(item, line.quantity) : null;
  const volume = lineVolumeCm3(line, items);
  return {
    name: item?.name ?? String(line.itemId),
    sku: item?.sku,
    quantity: {
      value: line.enteredQuantity,
      unit: line.enteredUnit,
      base: item ? { value: fromSubUnits(item, line.quantity), unit: item.baseUnit } : undefined,
    },
    condition: line.condition,
    lot: line.lot ?? undefined,
    expiry: line.expiryDate ? line.expiryDate.toISOString().slice(0, 10) : undefined,
    unitWeightKg: item?.weightGramsPerUnit != null ? formatRatio(item.weightGramsPerUnit, 1000) : undefined,
    netKg: grams === null ? undefined : kgOf(grams),
    volumeM3: volume === null ? undefined : m3Of(volume),
    hsCode: item?.hsCode ?? undefined,
    originCountry: countryName(item?.originCountry ?? null),
    unitValue: item?.unitValue
      ? { amount: formatRatio(item.unitValue.amountMinor, 100), currency: item.unitValue.currency }
      : undefined,
    value: lineValue(item, line.quantity),
  };
}

/** One line per item, lot and condition, in base units (waybills and the gift certificate list goods, not boxes). */
function summedLines(units: readonly HandlingUnitRecord[], items: ReadonlyMap<string, ItemRecord>): DocLine[] {
  const sums = new Map<string, HandlingUnitLine>();
  for (const unit of units) {
    for (const line of unit.lines) {
      const key = `${String(line.itemId)}|${line.lot ?? ''}|${line.condition}|${line.expiryDate?.getTime() ?? ''}`;
      const sum = sums.get(key);
      if (sum) sum.quantity += line.quantity;
      else sums.set(key, { ...line });
    }
  }
  return [...sums.values()].map((line) => {
    const item = items.get(String(line.itemId));
    const inBase = item ? { enteredQuantity: fromSubUnits(item, line.quantity), enteredUnit: item.baseUnit } : {};
    return docLine({ ...line, ...inBase }, items);
  });
}

function totalsOf(units: readonly HandlingUnitRecord[], items: ReadonlyMap<string, ItemRecord>): DocTotals {
  const t = shipmentTotals(units, items);
  const values = new Map<string, bigint>();
  for (const unit of units) {
    for (const line of unit.lines) {
      const v = valueMinor(items.get(String(line.itemId)), line.quantity);
      if (v) values.set(v.currency, (values.get(v.currency) ?? 0n) + v.minor);
    }
  }
  return {
    packages: t.packages,
    lines: t.lines,
    netKg: kgOf(t.netGrams),
    grossKg: kgOf(t.grossGrams),
    volumeM3: m3Of(t.volumeCm3),
    values: [...values.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, minor]) => ({ currency, amount: formatRatio(minor, 100) })),
  };
}

function handlingUnitsOf(
  units: readonly HandlingUnitRecord[],
  shipment: ShipmentRecord,
  items: ReadonlyMap<string, ItemRecord>,
  lang: Lang,
): DocHandlingUnit[] {
  const numbers = unitNumbers(units);
  const totals = unitTotals(units, items);
  const byId = new Map(units.map((u) => [String(u._id), u]));
  const transport = new Map(shipment.transportUnits.map((t) => [String(t._id), t.code]));
  return units.map((u) => {
    const n = numbers.get(String(u._id)) ?? { number: 0, of: 0 };
    const t = totals.get(String(u._id));
    const parent = u.parentId ? byId.get(String(u.parentId)) : undefined;
    const d = u.dimensionsMm;
    return {
      kind: u.kind,
      number: n.number,
      of: n.of,
      code: u.code,
      parent: parent
        ? handlingUnitTitle({ kind: parent.kind, ...(numbers.get(String(parent._id)) ?? { number: 0, of: 0 }) }, lang)
        : undefined,
      transportUnit: u.transportUnitId ? transport.get(String(u.transportUnitId)) : undefined,
      lines: u.lines.map((l) => docLine(l, items)),
      netKg: t ? kgOf(t.netGrams) : undefined,
      grossKg: t ? kgOf(t.grossGrams) : undefined,
      volumeM3: t ? m3Of(t.volumeCm3) : undefined,
      dimensionsCm: d
        ? { length: formatRatio(d.length, 10), width: formatRatio(d.width, 10), height: formatRatio(d.height, 10) }
        : undefined,
    };
  });
}

function file(pdf: Buffer, name: string, lang: Lang): DocumentFile {
  return { file: pdf, filename: `${name}-${lang}.pdf`, contentType: 'application/pdf' };
}

async function prepared(id: string, actor: Actor) {
  const { shipment } = await loadShipment(id, actor);
  assertPrintable(shipment);
  const units = await unitsOf(shipment, actor);
  const items = await itemsOf(units);
  return { shipment, units, items };
}

export type ShipmentDocumentKind = 'manifest' | 'packing_list' | 'gift_certificate' | 'labels';

/** A document of the whole shipment. */
export async function shipmentDocument(
  id: string,
  type: ShipmentDocumentKind,
  lang: Lang,
  actor: Actor,
): Promise<DocumentFile> {
  const { shipment, units, items } = await prepared(id, actor);
  const record = await documentRecord(actor, shipment, type, null);
  const base = await baseOf(shipment, record, shipment.organisationId);
  const totals = totalsOf(units, items);
  const handlingUnits = handlingUnitsOf(units, shipment, items, lang);
  const transportUnits = transportUnitsOf(shipment);
  let pdf: Buffer;
  switch (type) {
    case 'manifest':
      pdf = await renderCargoManifest({ ...base, transportUnits, handlingUnits, totals }, lang);
      break;
    case 'packing_list':
      pdf = await renderPackingList({ ...base, transportUnits, handlingUnits, totals }, lang);
      break;
    case 'gift_certificate': {
      const donor = base.donors?.[0] ?? base.shipper;
      pdf = await renderGiftCertificate(
        {
          ...base,
          donor,
          beneficiary: base.consignee,
          lines: summedLines(units, items),
          totals,
          place: base.origin.address ? String(base.origin.address) : undefined,
        },
        lang,
      );
      break;
    }
    case 'labels':
      pdf = await renderHandlingUnitLabels(
        {
          ...base,
          units: handlingUnits.map((u) => ({
            ...u,
            qr: `asar:unit:${shipment.number}:${u.code}:${shipment.verificationRef}`,
          })),
        },
        lang,
      );
      break;
  }
  return file(pdf, `${record.number}`, lang);
}

/** The manifest or the waybill of one transport unit (the copy that travels in the truck). */
export async function transportUnitDocument(
  id: string,
  transportUnitId: string,
  type: 'unit_manifest' | 'waybill',
  lang: Lang,
  actor: Actor,
): Promise<DocumentFile> {
  const { shipment, units, items } = await prepared(id, actor);
  const unit = shipment.transportUnits.find((t) => String(t._id) === transportUnitId);
  if (!unit) throw notFound('Transport unit', transportUnitId);
  if (type === 'waybill' && unit.kind !== 'vehicle') {
    throw new AppError('UNPROCESSABLE', `${unit.code} is a container: a waybill is printed per vehicle`, {
      field: 'transportUnitId',
    });
  }
  const record = await documentRecord(actor, shipment, type, unit._id);
  const base = await baseOf(shipment, record, shipment.organisationId);
  const carried = units.filter((u) => u.transportUnitId?.equals(unit._id));
  const totals = totalsOf(carried, items);
  const doc = transportUnitsOf(shipment).find((t) => t.code === unit.code) as DocTransportUnit;
  const pdf =
    type === 'waybill'
      ? await renderWaybill({ ...base, vehicle: doc, lines: summedLines(carried, items), totals }, lang)
      : await renderCargoManifest(
          {
            ...base,
            transportUnit: doc,
            transportUnits: [doc],
            handlingUnits: handlingUnitsOf(units, shipment, items, lang).filter((h) => h.transportUnit === unit.code),
            totals,
          },
          lang,
        );
  return file(pdf, record.number, lang);
}

/** The goods received note of a posted receipt, numbered with the receipt's GRN number. */
export async function goodsReceivedNote(
  id: string,
  receiptId: string,
  lang: Lang,
  actor: Actor,
): Promise<DocumentFile> {
  const { shipment } = await loadShipment(id, actor);
  const receipt = await receiptOf(shipment, receiptId, actor);
  if (receipt.status !== 'posted' || !receipt.number) {
    throw new AppError('INVALID_STATE', 'A goods received note is printed once the receipt is posted', {
      status: receipt.status,
    });
  }
  const record = await documentRecord(
    actor,
    shipment,
    'goods_received_note',
    receipt._id,
    receipt.number,
    receipt.postedAt ?? undefined,
  );
  const base = await baseOf(shipment, record, receipt.organisationId);
  const units = await unitsOf(shipment, actor);
  const items = await itemsOf(units);
  const receiptItems = await itemsOf([{ lines: receipt.lines } as unknown as HandlingUnitRecord]);
  for (const [k, v] of receiptItems) items.set(k, v);
  const numbers = unitNumbers(units);
  const unitById = new Map(units.map((u) => [String(u._id), u]));
  const inBase = (itemId: Types.ObjectId, quantity: number) => {
    const item = items.get(String(itemId));
    return item ? fromSubUnits(item, quantity) : String(quantity);
  };
  const lines = receipt.lines
    .filter((l) => l.counted || l.short > 0)
    .map((l) => {
      const item = items.get(String(l.itemId));
      const unit = l.handlingUnitId ? unitById.get(String(l.handlingUnitId)) : undefined;
      const n = unit ? numbers.get(String(unit._id)) : undefined;
      return {
        name: item?.name ?? String(l.itemId),
        sku: item?.sku,
        package: unit && n ? `${handlingUnitTitle({ kind: unit.kind, ...n }, lang)} · ${unit.code}` : undefined,
        lot: l.lot ?? undefined,
        expiry: l.expiryDate ? l.expiryDate.toISOString().slice(0, 10) : undefined,
        bin: l.locationCode ?? undefined,
        unit: item?.baseUnit ?? l.unit,
        sent: inBase(l.itemId, l.expected),
        good: inBase(l.itemId, l.good),
        damaged: inBase(l.itemId, l.damaged),
        short: inBase(l.itemId, l.short),
        excess: inBase(l.itemId, l.excess),
        reason: l.reason ?? undefined,
      };
    });
  // Totals by weight: grams of different items add up, pieces of a blanket and of a yurt do not.
  const kg = (pick: (l: ShipmentReceiptRecord['lines'][number]) => number) =>
    kgOf(
      receipt.lines.reduce((sum, l) => {
        const item = items.get(String(l.itemId));
        return sum + BigInt((item ? gramsOf(item, pick(l)) : null) ?? 0);
      }, 0n),
    );
  // The receiving warehouse is the receiver's: the shipper printing the GRN shows the planned destination instead.
  const warehouse = receipt.warehouseId ? (await warehousesByIds(actor, [receipt.warehouseId]))[0] : undefined;
  const pdf = await renderGoodsReceivedNote(
    {
      ...base,
      receipt: {
        receivedOn: calendarDay(receipt.postedAt) as string,
        expectedOn: calendarDay(shipment.plannedArrivalAt),
        warehouse: warehouse
          ? {
              name: warehouse.name,
              code: warehouse.code,
              address: [warehouse.city, warehouse.address].filter(Boolean).join(', '),
            }
          : base.destination,
        blind: receipt.blind,
        partial: !receipt.final && !['received', 'received_with_discrepancies', 'closed'].includes(shipment.status),
        deliveredBy: receipt.deliveredBy ?? undefined,
        receivedBy: receipt.receivedBy.name,
      },
      lines,
      totals: {
        goodKg: kg((l) => l.good),
        damagedKg: kg((l) => l.damaged),
        shortKg: kg((l) => l.short),
        excessKg: kg((l) => l.excess),
      },
    },
    lang,
  );
  return file(pdf, receipt.number, lang);
}

/** What the public verification page shows of a shipment document: what is printed on it, never more. */
export interface VerifiedShipmentDocument {
  title: { kk: string; ru: string; en: string };
  fields: Record<string, string>;
  content: Record<string, unknown>;
}

const TITLE_OF: Record<ShipmentDocumentType, (l: ReturnType<typeof shipmentLabels>) => string> = {
  manifest: (l) => l.manifest.title,
  unit_manifest: (l) => l.manifest.unitTitle,
  waybill: (l) => l.waybill.title,
  packing_list: (l) => l.packingList.title,
  gift_certificate: (l) => l.giftCertificate.title,
  goods_received_note: (l) => l.goodsReceived.title,
  labels: (l) => l.label.title,
};

/**
 * The summary of a genuine shipment document for its verification code (the public page: whoever holds the paper).
 * Read across organisations by design: the code, not an account, is the holder's proof; it shows the document's
 * number and date, the shipment's number, state, parties as printed, and its totals.
 */
export function verifiedShipmentDocument(documentId: string): Promise<VerifiedShipmentDocument> {
  return acrossOrganisations('a verification code shows the document it was printed on', async () => {
    const record = await ShipmentDocument.findById(documentId).lean<ShipmentDocumentRecord>().exec();
    if (!record) throw notFound('Document', documentId);
    const shipment = await Shipment.findById(record.shipmentId).lean<ShipmentRecord>().exec();
    if (!shipment) throw notFound('Shipment', String(record.shipmentId));
    const units = await HandlingUnit.find({ shipmentId: shipment._id }).lean<HandlingUnitRecord[]>().exec();
    const carried =
      record.scopeId && record.type !== 'goods_received_note'
        ? units.filter((u) => u.transportUnitId?.equals(record.scopeId as Types.ObjectId))
        : units;
    const totals = shipmentTotals(carried, await itemsOf(carried));
    const title = (lang: Lang) => TITLE_OF[record.type](shipmentLabels(lang));
    return {
      title: { kk: title('kk'), ru: title('ru'), en: title('en') },
      fields: {
        number: record.number,
        issuedOn: calendarDay(record.issuedAt) ?? '',
        shipment: shipment.number,
        status: shipment.status,
        shipper: shipment.shipper.name,
        consignee: shipment.consignee.name,
      },
      content: {
        packages: totals.packages,
        grossKg: kgOf(totals.grossGrams),
        netKg: kgOf(totals.netGrams),
        volumeM3: m3Of(totals.volumeCm3),
      },
    };
  });
}
