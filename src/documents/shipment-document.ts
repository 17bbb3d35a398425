/**
 * What every shipment document shares: the data it is drawn from (the shipment's parties, places, references,
 * transport units, handling units and lines, all computed and converted exactly by the shipments module) and the
 * pieces drawn the same way on each of them (header with the QR code, the shipment's fields, "Pallet n / N",
 * a quantity with its base unit, the totals block). Pure functions of their data, like the donation receipt.
 */
import { type OrganisationHeader, organisationDetails } from './donation-receipt';
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
  UNIT_CODES,
  type UnitCode,
} from './labels';
import {
  type Doc,
  type DocumentSetup,
  drawDocumentHeader,
  drawFieldGrid,
  type Field,
  makeQrCode,
  type SummaryRow,
} from './layout';
import {
  HANDLING_UNIT_KINDS,
  type HandlingUnitKind,
  type ShipmentKind,
  shipmentLabels,
  type TransportMode,
} from './shipment-labels';

export type { OrganisationHeader } from './donation-receipt';

export interface DocParty {
  readonly name: LocalizedText;
  readonly bin?: string;
  readonly country?: LocalizedText;
  readonly address?: LocalizedText;
  readonly contact?: string;
}

export interface DocPlace {
  readonly name: LocalizedText;
  readonly code?: string;
  readonly address?: LocalizedText;
}

/** A catalog unit code ('t', 'kg', 'piece', 'box', ...) or the caller's own wording. */
export type DocUnit = string | Readonly<Partial<Record<Lang, string>>>;

export interface DocQuantity {
  readonly value: DecimalValue;
  readonly unit: DocUnit;
  /** The same quantity in the item's base unit, printed after it ("10 bags = 500 kg") when the units differ. */
  readonly base?: { readonly value: DecimalValue; readonly unit: DocUnit };
}

export interface DocLine {
  readonly name: LocalizedText;
  readonly sku?: string;
  readonly quantity: DocQuantity;
  readonly condition: ItemCondition;
  readonly lot?: string;
  readonly expiry?: CalendarDate;
  readonly unitWeightKg?: DecimalValue;
  readonly netKg?: DecimalValue;
  readonly volumeM3?: DecimalValue;
  readonly hsCode?: string;
  readonly originCountry?: LocalizedText;
  readonly unitValue?: Money;
  readonly value?: Money;
}

export interface DocHandlingUnit {
  readonly kind: HandlingUnitKind;
  /** n of "n / N", within its kind in the shipment. */
  readonly number: number;
  readonly of: number;
  /** The label printed on the unit itself (e.g. "P-0003"). */
  readonly code: string;
  /** The unit it sits in, as printed ("Pallet 3 / 600"). */
  readonly parent?: string;
  /** The code of the transport unit carrying it. */
  readonly transportUnit?: string;
  readonly lines: readonly DocLine[];
  readonly netKg?: DecimalValue;
  readonly grossKg?: DecimalValue;
  readonly dimensionsCm?: {
    readonly length: DecimalValue;
    readonly width: DecimalValue;
    readonly height: DecimalValue;
  };
  readonly volumeM3?: DecimalValue;
}

export interface DocVehicle {
  readonly truckPlate?: string;
  readonly trailerPlate?: string;
  readonly driverName?: string;
  readonly driverPhone?: string;
  readonly carrier?: string;
}

export interface DocContainer {
  readonly number: string;
  /** '20ft', '40ft' or '40ft_hc'. */
  readonly type: string;
  readonly seals: readonly string[];
}

export interface DocTransportUnit {
  readonly code: string;
  readonly kind: 'vehicle' | 'container';
  readonly vehicle?: DocVehicle;
  readonly container?: DocContainer;
}

export interface DocTotals {
  readonly packages: number;
  readonly lines: number;
  readonly netKg?: DecimalValue;
  readonly grossKg?: DecimalValue;
  readonly volumeM3?: DecimalValue;
  /** One amount per currency. */
  readonly values?: readonly Money[];
}

export interface ShipmentReferences {
  readonly billOfLading?: string;
  readonly airWaybill?: string;
  readonly cmr?: string;
  readonly customsDeclaration?: string;
  readonly aidPermit?: string;
}

export interface ShipmentDocumentBase {
  /** This document's own number, from its counter (e.g. MAN-2026-000012). */
  readonly documentNumber: string;
  /** When the document was first issued: also the PDF creation date, so a reprint gives identical bytes. */
  readonly issuedAt: Date | string;
  readonly timeZone?: string;
  readonly organisation: OrganisationHeader;
  readonly verification: { readonly reference: string; readonly url?: string };
  readonly shipment: {
    readonly number: string;
    readonly kind: ShipmentKind;
    readonly mode?: TransportMode;
    readonly plannedDispatch?: CalendarDate;
    readonly dispatchedOn?: CalendarDate;
    readonly arrivedOn?: CalendarDate;
    readonly references: ShipmentReferences;
    readonly declaredValue?: Money;
  };
  readonly shipper: DocParty;
  readonly consignee: DocParty;
  readonly origin: DocPlace;
  readonly destination: DocPlace;
  readonly donors?: readonly DocParty[];
  readonly notes?: LocalizedText;
}

// ---------------------------------------------------------------------------------------------------------------
// Words

const CATALOG_TO_LABEL: Readonly<Record<string, UnitCode>> = { t: 'tonne', l: 'litre' };

/** A unit as the reader's language names it: catalog codes are translated, anything else is printed as given. */
export function unitText(unit: DocUnit, lang: Lang): string {
  if (typeof unit !== 'string') return pickText(unit, lang);
  const code: string = CATALOG_TO_LABEL[unit] ?? unit;
  if ((UNIT_CODES as readonly string[]).includes(code)) return labels(lang).units[code as UnitCode];
  if (code === 'roll' || code === 'sheet') return shipmentLabels(lang).extraUnits[code];
  // A pack named like a handling unit (a bale of 20 blankets) reads as one.
  if ((HANDLING_UNIT_KINDS as readonly string[]).includes(code)) {
    return shipmentLabels(lang).handlingUnits[code as HandlingUnitKind].toLocaleLowerCase(labels(lang).locale);
  }
  return unit;
}

/** "10 bags = 500 kg": the quantity as entered, then in the base unit when that differs. */
export function quantityText(quantity: DocQuantity, lang: Lang): string {
  const main = `${formatDecimal(quantity.value, lang)} ${unitText(quantity.unit, lang)}`;
  const base = quantity.base;
  if (!base || unitText(base.unit, lang) === unitText(quantity.unit, lang)) return main;
  return `${main} = ${formatDecimal(base.value, lang)} ${unitText(base.unit, lang)}`;
}

/** "Pallet 3 / 600". */
export function handlingUnitTitle(unit: Pick<DocHandlingUnit, 'kind' | 'number' | 'of'>, lang: Lang): string {
  return `${shipmentLabels(lang).handlingUnits[unit.kind]} ${unit.number} / ${unit.of}`;
}

export function kg(value: DecimalValue | undefined, lang: Lang): string {
  return value === undefined ? labels(lang).common.none : formatDecimal(value, lang, 3);
}

export function m3(value: DecimalValue | undefined, lang: Lang): string {
  return value === undefined ? labels(lang).common.none : formatDecimal(value, lang, 3);
}

export function moneyText(value: Money | undefined, lang: Lang): string {
  return value ? formatMoney(value, lang) : labels(lang).common.none;
}

export function lotExpiryText(line: Pick<DocLine, 'lot' | 'expiry'>, lang: Lang): string {
  const parts = [line.lot, line.expiry ? formatDate(line.expiry, lang) : undefined].filter(Boolean);
  return parts.length ? parts.join('\n') : labels(lang).common.none;
}

export function lineName(line: Pick<DocLine, 'name' | 'sku'>, lang: Lang): string {
  const name = pickText(line.name, lang);
  return line.sku ? `${name}\n${line.sku}` : name;
}

export function partyText(party: DocParty, lang: Lang): string {
  const parts = [pickText(party.name, lang)];
  if (party.bin) parts.push(`${labels(lang).common.bin} ${party.bin}`);
  const address = pickText(party.address, lang);
  if (address) parts.push(address);
  const country = pickText(party.country, lang);
  if (country) parts.push(country);
  if (party.contact) parts.push(party.contact);
  return parts.join(', ');
}

export function placeText(place: DocPlace, lang: Lang): string {
  const name = [place.code, pickText(place.name, lang)].filter(Boolean).join(' — ');
  const address = pickText(place.address, lang);
  return address ? `${name}\n${address}` : name;
}

export function vehicleText(unit: DocTransportUnit, lang: Lang): string {
  const f = shipmentLabels(lang).fields;
  const parts: string[] = [unit.code];
  if (unit.vehicle?.truckPlate) parts.push(`${f.truckPlate}: ${unit.vehicle.truckPlate}`);
  if (unit.vehicle?.trailerPlate) parts.push(`${f.trailerPlate}: ${unit.vehicle.trailerPlate}`);
  if (unit.container) {
    parts.push(`${f.container}: ${unit.container.number} (${containerTypeText(unit.container.type)})`);
    if (unit.container.seals.length) parts.push(`${f.seals}: ${unit.container.seals.join(', ')}`);
  }
  return parts.join(' · ');
}

export function containerTypeText(type: string): string {
  return type === '40ft_hc' ? "40' HC" : type.replace(/ft$/, "'");
}

// ---------------------------------------------------------------------------------------------------------------
// Drawing

/** The setup every shipment document passes to renderPdf: title with the number, dated by the data. */
export function documentSetup(
  data: ShipmentDocumentBase,
  title: string,
  lang: Lang,
  extra: Partial<DocumentSetup> = {},
): DocumentSetup {
  const numbered = `${title} ${labels(lang).common.number} ${data.documentNumber}`;
  const organisationName = pickText(data.organisation.name, lang);
  return {
    lang,
    title: numbered,
    author: organisationName,
    createdAt: toInstant(data.issuedAt),
    footerText: `${organisationName} · ${numbered}`,
    runningHeader: numbered,
    ...extra,
  };
}

export function verificationPayload(data: ShipmentDocumentBase): string {
  return data.verification.url ?? data.verification.reference;
}

/** Organisation, title, "№ … · date", and the QR code carrying the verification reference. */
export async function drawShipmentHeader(
  doc: Doc,
  data: ShipmentDocumentBase,
  title: string,
  lang: Lang,
  qr?: Buffer,
): Promise<void> {
  const text = labels(lang);
  const png = qr ?? (await makeQrCode(verificationPayload(data)));
  drawDocumentHeader(doc, {
    organisation: {
      name: pickText(data.organisation.name, lang),
      details: organisationDetails(data.organisation, lang),
    },
    title,
    subtitle: `${text.common.number} ${data.documentNumber}  ·  ${formatDate(
      toInstant(data.issuedAt),
      lang,
      'long',
      data.timeZone ?? DEFAULT_TIME_ZONE,
    )}`,
    qr: { png, caption: `${shipmentLabels(lang).fields.scanToVerify}\n${data.verification.reference}` },
  });
}

/** The shipment's own fields: number, kind, parties, places, mode, dates, references, donors. */
export function shipmentFields(data: ShipmentDocumentBase, lang: Lang): Field[] {
  const f = shipmentLabels(lang).fields;
  const s = data.shipment;
  const fields: Field[] = [
    { label: f.shipment, value: s.number },
    { label: f.kind, value: shipmentLabels(lang).kinds[s.kind] },
    { label: f.shipper, value: partyText(data.shipper, lang) },
    { label: f.consignee, value: partyText(data.consignee, lang) },
    { label: f.origin, value: placeText(data.origin, lang) },
    { label: f.destination, value: placeText(data.destination, lang) },
  ];
  if (s.mode) fields.push({ label: f.mode, value: shipmentLabels(lang).modes[s.mode] });
  if (s.plannedDispatch) fields.push({ label: f.plannedDispatch, value: formatDate(s.plannedDispatch, lang, 'long') });
  if (s.dispatchedOn) fields.push({ label: f.dispatchedOn, value: formatDate(s.dispatchedOn, lang, 'long') });
  if (s.arrivedOn) fields.push({ label: f.arrivedOn, value: formatDate(s.arrivedOn, lang, 'long') });
  const references: Array<[keyof ShipmentReferences, string]> = [
    ['billOfLading', f.billOfLading],
    ['airWaybill', f.airWaybill],
    ['cmr', f.cmr],
    ['customsDeclaration', f.customsDeclaration],
    ['aidPermit', f.aidPermit],
  ];
  for (const [key, label] of references) {
    const value = s.references[key];
    if (value) fields.push({ label, value });
  }
  if (s.declaredValue) fields.push({ label: f.declaredValue, value: formatMoney(s.declaredValue, lang) });
  if (data.donors?.length) {
    fields.push({ label: f.donors, value: data.donors.map((d) => partyText(d, lang)).join('\n') });
  }
  return fields;
}

export function drawShipmentFields(doc: Doc, data: ShipmentDocumentBase, lang: Lang, extra: Field[] = []): void {
  drawFieldGrid(doc, [...shipmentFields(data, lang), ...extra]);
}

/** Packages, lines, net and gross weight (kg, and tonnes from one tonne up), volume and value. */
export function totalsRows(totals: DocTotals, lang: Lang): SummaryRow[] {
  const t = shipmentLabels(lang).totals;
  const units = labels(lang).units;
  const rows: SummaryRow[] = [
    { label: t.packages, values: [formatDecimal(totals.packages, lang)] },
    { label: t.lines, values: [formatDecimal(totals.lines, lang)] },
  ];
  const weight = (value: DecimalValue): string[] => {
    const kgText = `${formatDecimal(value, lang, 3)} ${units.kg}`;
    const tonnes = toTonnes(value);
    return tonnes === undefined ? [kgText] : [kgText, `${formatDecimal(tonnes, lang, 6)} ${units.tonne}`];
  };
  if (totals.netKg !== undefined) rows.push({ label: t.netWeight, values: weight(totals.netKg) });
  if (totals.grossKg !== undefined) rows.push({ label: t.grossWeight, values: weight(totals.grossKg) });
  if (totals.volumeM3 !== undefined) {
    rows.push({ label: t.volume, values: [`${formatDecimal(totals.volumeM3, lang, 3)} ${units.m3}`] });
  }
  if (totals.values?.length) rows.push({ label: t.value, values: totals.values.map((v) => formatMoney(v, lang)) });
  return rows;
}

/** kg → tonnes by moving the decimal point (exact on decimal strings); undefined under one tonne. */
function toTonnes(value: DecimalValue): string | undefined {
  const text = String(value);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, whole = '0', fraction = ''] = match;
  if (whole.length < 4) return undefined;
  const tonnes = whole.slice(0, -3);
  const rest = `${whole.slice(-3)}${fraction}`.replace(/0+$/, '');
  return rest ? `${tonnes}.${rest}` : tonnes;
}

/** Height of the totals block drawn by drawSummary (heading, rows, rules), to keep it with the table's end. */
export function summaryHeight(rows: readonly SummaryRow[]): number {
  return 30 + rows.reduce((sum, row) => sum + row.values.length * 11 + 4, 0);
}

/** Height drawSignatureBlock needs, for keepWithNext. */
export const SIGNATURE_BLOCK_HEIGHT = 16 + 3 * 20 + 12 + 24;
