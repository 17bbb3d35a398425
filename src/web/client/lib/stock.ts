/** What a balance shows: on hand, reserved and available in its base unit (decimal strings). */
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

/**
 * Reserved and available as the API gives them once reservations exist (`reservedQuantity`/`availableQuantity`, or
 * `reserved`/`available` as decimal strings); before that, nothing is reserved.
 */
export function balanceFigures(balance: Balance): BalanceFigures {
  const record = balance as unknown as Record<string, unknown>;
  const decimal = (...keys: string[]) => {
    for (const key of keys) if (typeof record[key] === 'string') return record[key] as string;
    return undefined;
  };
  const onHand = balance.quantity;
  const reserved = decimal('reservedQuantity', 'reserved') ?? '0';
  const available = decimal('availableQuantity', 'available') ?? subtractDecimal(onHand, reserved);
  return { onHand, reserved, available };
}
