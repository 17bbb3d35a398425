/** What a balance shows: on hand, reserved and available in its base unit (decimal strings). */
import { decimalShift } from './format';
import type { Balance } from './types';

export interface BalanceFigures {
  onHand: string;
  reserved: string;
  available: string;
}

function scaled(value: string, scale: number): bigint {
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const magnitude = BigInt(whole + fraction.padEnd(scale, '0'));
  return negative ? -magnitude : magnitude;
}

function unscaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

const scaleOf = (...values: string[]) => Math.max(...values.map((value) => value.split('.')[1]?.length ?? 0));

/** a + b of decimal strings, exactly. */
export function addDecimal(a: string, b: string): string {
  const scale = scaleOf(a, b);
  return unscaled(scaled(a, scale) + scaled(b, scale), scale);
}

/** a - b of decimal strings, exactly. */
export function subtractDecimal(a: string, b: string): string {
  const scale = scaleOf(a, b);
  return unscaled(scaled(a, scale) - scaled(b, scale), scale);
}

/** Powers of ten from a stored sub-unit to a base unit (units.ts on the server: g, kg, t; ml, l; counted units). */
const SUB_UNIT_SHIFT: Record<string, Record<string, number>> = {
  g: { g: 0, kg: 3, t: 6 },
  ml: { ml: 0, l: 3 },
};

/** The sub-unit the API counts a base unit in: grams for kg and t, millilitres for litres, else the unit itself. */
export function subUnitOf(baseUnit: string): string {
  return Object.entries(SUB_UNIT_SHIFT).find(([, bases]) => baseUnit in bases)?.[0] ?? baseUnit;
}

/**
 * Integer sub-units (what the API stores and answers as `onHand`, `reserved`, `available` with their `unit`) in
 * the item's base unit, exactly: 120500 g is "120.5" kg. Undefined for a pair of units it does not know.
 */
export function inBaseUnit(subUnits: number, unit: string, baseUnit: string): string | undefined {
  if (unit === baseUnit) return String(subUnits);
  const shift = SUB_UNIT_SHIFT[unit]?.[baseUnit];
  return shift === undefined ? undefined : decimalShift(String(subUnits), -shift);
}

/**
 * A quantity typed in the item's base unit ("2.5" kg) in the integer sub-units the API counts (2500 g); undefined
 * when it is not a whole number of sub-units or the pair of units is unknown.
 */
export function inSubUnits(baseValue: string, unit: string, baseUnit: string): number | undefined {
  const shift = unit === baseUnit ? 0 : SUB_UNIT_SHIFT[unit]?.[baseUnit];
  if (shift === undefined) return undefined;
  const shifted = decimalShift(baseValue, shift);
  return /^\d+$/.test(shifted) ? Number(shifted) : undefined;
}

/**
 * On hand, reserved and available in the item's base unit. The API gives on hand as a decimal string in the base
 * unit (`quantity`) and all three as integer sub-units (`onHand`, `reserved`, `available`, in `unit`).
 */
export function balanceFigures(balance: Balance): BalanceFigures {
  const onHand = balance.quantity;
  const convert = (subUnits: number | undefined) =>
    subUnits === undefined ? undefined : inBaseUnit(subUnits, balance.unit, balance.baseUnit);
  const reserved = convert(balance.reserved) ?? '0';
  const available = convert(balance.available) ?? subtractDecimal(onHand, reserved);
  return { onHand, reserved, available };
}
