import { AppError } from '../../core/errors';
/**
 * Exact quantities. Every stored quantity is a JS safe integer of the item's *sub-unit*: grams for mass items
 * (g, kg, t), millilitres for volume items (ml, l) and whole units for counted items (piece, kit, ...). Input arrives
 * as a decimal string or number in any unit that converts for the item (its mass/volume family or one of its packs),
 * and is converted with BigInt decimal arithmetic, never float multiplication: 0.1 t + 0.2 t is exactly 300000 g.
 * A value that is not a whole number of sub-units (0.0001 kg) is rejected rather than rounded.
 *
 * Exact at any size: no quantity, and no balance the stock module keeps, exceeds MAX_QUANTITY (2^53 − 1, the largest
 * integer a double holds exactly, as MongoDB stores numbers); a quantity above it is refused here, a balance that
 * would pass it is refused by the stock module. Sums over many balances (totals, weights) are computed with BigInt.
 */

/** The largest quantity or balance, in sub-units: 9,007,199,254,740,991. */
export const MAX_QUANTITY = Number.MAX_SAFE_INTEGER;

export type UnitFamily = 'mass' | 'volume' | 'count';

/** Sub-units per unit, per family. The first unit of each family is the stored sub-unit. */
const MASS_UNITS: Record<string, bigint> = { g: 1n, kg: 1000n, t: 1_000_000n };
const VOLUME_UNITS: Record<string, bigint> = { ml: 1n, l: 1000n };
export const COUNT_UNITS = ['piece', 'kit', 'pair', 'set', 'roll', 'sheet'] as const;

export const MASS_UNIT_CODES = Object.keys(MASS_UNITS);
export const VOLUME_UNIT_CODES = Object.keys(VOLUME_UNITS);
/** Units an item may declare as its base unit. */
export const BASE_UNITS = [...MASS_UNIT_CODES, ...VOLUME_UNIT_CODES, ...COUNT_UNITS] as const;
export type BaseUnit = (typeof BASE_UNITS)[number];

/**
 * Alternative spellings accepted on input (English words, and the Russian and Kazakh abbreviations a clerk types:
 * кг, шт, т); answers always use the canonical code.
 */
const ALIASES: Record<string, string> = {
  gram: 'g',
  grams: 'g',
  kilogram: 'kg',
  kilograms: 'kg',
  tonne: 't',
  tonnes: 't',
  ton: 't',
  litre: 'l',
  litres: 'l',
  liter: 'l',
  liters: 'l',
  millilitre: 'ml',
  milliliter: 'ml',
  pieces: 'piece',
  pcs: 'piece',
  pc: 'piece',
  kits: 'kit',
  pairs: 'pair',
  sets: 'set',
  // As clerks type them in Russian and Kazakh (the same abbreviations in both).
  г: 'g',
  гр: 'g',
  грамм: 'g',
  кг: 'kg',
  килограмм: 'kg',
  т: 't',
  тн: 't',
  тонна: 't',
  л: 'l',
  литр: 'l',
  мл: 'ml',
  шт: 'piece',
  штука: 'piece',
  штук: 'piece',
  дана: 'piece',
  компл: 'set',
  комплект: 'set',
  пара: 'pair',
  жұп: 'pair',
  коробка: 'box',
  қорап: 'box',
  мешок: 'bag',
  қап: 'bag',
  поддон: 'pallet',
  паллет: 'pallet',
  тюк: 'bale',
};

export function canonicalUnit(unit: string): string {
  const lower = unit.trim().toLowerCase().replace(/\.$/, '');
  return ALIASES[lower] ?? lower;
}

export function unitFamily(baseUnit: string): UnitFamily {
  const unit = canonicalUnit(baseUnit);
  if (unit in MASS_UNITS) return 'mass';
  if (unit in VOLUME_UNITS) return 'volume';
  return 'count';
}

/** The unit quantities of an item with this base unit are stored in. */
export function subUnitOf(baseUnit: string): string {
  const family = unitFamily(baseUnit);
  if (family === 'mass') return 'g';
  if (family === 'volume') return 'ml';
  return canonicalUnit(baseUnit);
}

/** Sub-units in one base unit: 1000 for kg, 1 for g, 1 for piece. */
export function subUnitsPerBaseUnit(baseUnit: string): number {
  const unit = canonicalUnit(baseUnit);
  return Number(MASS_UNITS[unit] ?? VOLUME_UNITS[unit] ?? 1n);
}

/** A pack as stored on an item: `subUnits` is the resolved size (a pallet of 40 boxes of 12 pieces = 480). */
export interface Pack {
  unit: string;
  quantity: string;
  of: string;
  subUnits: number;
}

/** A pack as written in a request: "a box holds 12 piece", "a pallet holds 40 box", "a bag holds 25 kg". */
export interface PackInput {
  unit: string;
  quantity: string | number;
  of: string;
}

export interface UnitHolder {
  baseUnit: string;
  packs?: readonly Pack[];
}

// ---------------------------------------------------------------------------------------------------------------
// Decimals

/** An exact decimal: value = digits / 10^scale. */
export interface Decimal {
  digits: bigint;
  scale: number;
}

const DECIMAL_PATTERN = /^([+-])?(\d+)?(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const MAX_SCALE = 30;

/** Parses a decimal string or a finite number exactly (a number is read through its shortest round-trip string). */
export function parseDecimal(value: string | number, field = 'quantity'): Decimal {
  const text = typeof value === 'number' ? numberToString(value, field) : value.trim();
  const match = DECIMAL_PATTERN.exec(text);
  if (!match || (match[2] === undefined && match[3] === undefined) || text.length > 64) {
    throw validation(field, `"${field}" must be a decimal number`, 'number.base');
  }
  const [, sign, whole = '', fraction = '', exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  let scale = fraction.length - exponent;
  let digits = BigInt(`${whole}${fraction}` || '0');
  if (scale < 0) {
    if (-scale > MAX_SCALE) throw validation(field, `"${field}" is too large`, 'number.unsafe');
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (scale > MAX_SCALE) throw validation(field, `"${field}" has too many decimal places`, 'number.precision');
  return normalise({ digits: sign === '-' ? -digits : digits, scale });
}

function numberToString(value: number, field: string): string {
  if (!Number.isFinite(value)) throw validation(field, `"${field}" must be a finite number`, 'number.infinity');
  return String(value);
}

function normalise(d: Decimal): Decimal {
  let { digits, scale } = d;
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return { digits, scale };
}

/** Multiplies an exact decimal by an integer factor; the result must be a whole number. */
function scaleToInteger(value: Decimal, factor: bigint): bigint | null {
  const product = value.digits * factor;
  const divisor = 10n ** BigInt(value.scale);
  return product % divisor === 0n ? product / divisor : null;
}

/** Renders `amount / divisor` exactly as a decimal string (divisor a power of ten or any integer dividing evenly). */
export function formatRatio(amount: number | bigint, divisor: number | bigint): string {
  const a = BigInt(amount);
  const d = BigInt(divisor);
  const negative = a < 0n;
  const abs = negative ? -a : a;
  const whole = abs / d;
  let rest = abs % d;
  let fraction = '';
  // Exact for divisors of the form 2^x * 5^y (all unit factors); others are cut at 12 places.
  while (rest !== 0n && fraction.length < 12) {
    rest *= 10n;
    fraction += String(rest / d);
    rest %= d;
  }
  const text = fraction ? `${whole}.${fraction}` : String(whole);
  return negative ? `-${text}` : text;
}

/** Decimal string → integer of 1/10^places (money in minor units: '1500.5' with 2 places → 150050). */
export function decimalToScaledInteger(value: string | number, places: number, field: string): number {
  const parsed = parseDecimal(value, field);
  const scaled = scaleToInteger(parsed, 10n ** BigInt(places));
  if (scaled === null) {
    throw validation(field, `"${field}" must have at most ${places} decimal places`, 'number.precision');
  }
  return toSafeNumber(scaled, field);
}

function toSafeNumber(value: bigint, field: string): number {
  if (value > BigInt(MAX_QUANTITY) || value < -BigInt(MAX_QUANTITY)) {
    throw validation(field, `"${field}" is too large (at most ${MAX_QUANTITY} of its smallest unit)`, 'number.unsafe', {
      limit: MAX_QUANTITY,
    });
  }
  return Number(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Conversions

/** Sub-units in one `unit` for this item, or null when the unit does not convert to the item's base unit. */
export function subUnitsPerUnit(item: UnitHolder, unit: string): bigint | null {
  const code = canonicalUnit(unit);
  const family = unitFamily(item.baseUnit);
  if (family === 'mass' && code in MASS_UNITS) return MASS_UNITS[code];
  if (family === 'volume' && code in VOLUME_UNITS) return VOLUME_UNITS[code];
  if (family === 'count' && code === canonicalUnit(item.baseUnit)) return 1n;
  const pack = item.packs?.find((p) => p.unit === code);
  return pack ? BigInt(pack.subUnits) : null;
}

/** Units a quantity of this item may be given in. */
export function convertibleUnits(item: UnitHolder): string[] {
  const family = unitFamily(item.baseUnit);
  const own =
    family === 'mass' ? MASS_UNIT_CODES : family === 'volume' ? VOLUME_UNIT_CODES : [canonicalUnit(item.baseUnit)];
  return [...own, ...(item.packs ?? []).map((p) => p.unit)];
}

/**
 * Converts `quantity unit` into the item's sub-units, exactly. `field` names the request field in errors
 * (e.g. `lines[2].quantity`). Throws VALIDATION when the unit does not convert, or the result is not a whole,
 * positive (unless allowNegative/allowZero), safe integer.
 */
export function toSubUnits(
  item: UnitHolder,
  quantity: string | number,
  unit: string | undefined,
  field = 'quantity',
  options: { allowZero?: boolean; allowNegative?: boolean; unitField?: string } = {},
): number {
  const unitCode = canonicalUnit(unit ?? item.baseUnit);
  const factor = subUnitsPerUnit(item, unitCode);
  if (factor === null) {
    const unitField = options.unitField ?? field.replace(/quantity$/, 'unit');
    throw validation(
      unitField,
      `"${unitField}" ${unitCode} does not convert to ${item.baseUnit} (convertible: ${convertibleUnits(item).join(', ')})`,
      'unit.convert',
      { unit: unitCode, baseUnit: item.baseUnit },
    );
  }
  const value = parseDecimal(quantity, field);
  const result = scaleToInteger(value, factor);
  if (result === null) {
    throw validation(
      field,
      `"${field}" ${formatDecimal(value)} ${unitCode} is not a whole number of ${subUnitOf(item.baseUnit)}`,
      'number.precision',
      { unit: unitCode, subUnit: subUnitOf(item.baseUnit) },
    );
  }
  if (result === 0n && !options.allowZero)
    throw validation(field, `"${field}" must be greater than 0`, 'number.positive');
  if (result < 0n && !options.allowNegative)
    throw validation(field, `"${field}" must be greater than 0`, 'number.positive');
  return toSafeNumber(result, field);
}

/** Sub-units → a decimal string in `unit` ('300000' g in t → '0.3'). */
export function fromSubUnits(item: UnitHolder, subUnits: number, unit?: string): string {
  const unitCode = canonicalUnit(unit ?? item.baseUnit);
  const factor = subUnitsPerUnit(item, unitCode);
  if (factor === null)
    throw validation('unit', `"unit" ${unitCode} does not convert to ${item.baseUnit}`, 'unit.convert');
  return formatRatio(subUnits, factor);
}

export function formatDecimal(d: Decimal): string {
  return formatRatio(d.digits, 10n ** BigInt(d.scale));
}

/**
 * Resolves pack definitions in order: each pack holds a quantity of the base unit, a family unit, or an earlier pack.
 * Throws VALIDATION naming `packs[i].…` when a pack refers to something unknown or is not whole in sub-units.
 */
export function resolvePacks(baseUnit: string, packs: readonly PackInput[], field = 'packs'): Pack[] {
  const resolved: Pack[] = [];
  const reserved = new Set<string>([...BASE_UNITS, ...Object.keys(ALIASES)]);
  packs.forEach((pack, index) => {
    const unit = canonicalUnit(pack.unit);
    if (reserved.has(unit)) {
      throw validation(
        `${field}[${index}].unit`,
        `"${field}[${index}].unit" ${unit} is a unit, not a pack`,
        'pack.reserved',
      );
    }
    if (resolved.some((p) => p.unit === unit)) {
      throw validation(
        `${field}[${index}].unit`,
        `"${field}[${index}].unit" ${unit} is declared twice`,
        'pack.duplicate',
      );
    }
    const subUnits = toSubUnits({ baseUnit, packs: resolved }, pack.quantity, pack.of, `${field}[${index}].quantity`, {
      unitField: `${field}[${index}].of`,
    });
    const of = canonicalUnit(pack.of);
    resolved.push({ unit, quantity: formatDecimal(parseDecimal(pack.quantity)), of, subUnits });
  });
  return resolved;
}

/**
 * Grams in `subUnits` of an item, given its weight per base unit in grams (mass items weigh what they measure). A
 * BigInt: 2^53 pieces of an 1.8 kg blanket weigh more grams than a double holds exactly.
 */
export function gramsOf(
  item: UnitHolder & { weightGramsPerUnit?: number | null },
  subUnits: number | bigint,
): bigint | null {
  if (unitFamily(item.baseUnit) === 'mass') return BigInt(subUnits);
  if (item.weightGramsPerUnit === undefined || item.weightGramsPerUnit === null) return null;
  const perBase = BigInt(subUnitsPerBaseUnit(item.baseUnit));
  // Rounded to the nearest gram: only a litre-based item with a weight per litre can land between grams.
  const numerator = BigInt(subUnits) * BigInt(item.weightGramsPerUnit);
  return (numerator * 2n + perBase) / (perBase * 2n);
}

function validation(field: string, message: string, type: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('VALIDATION', message, [{ field, message, type, ...extra }]);
}
