/**
 * What a recipient is entitled to in a round: pure functions of the round's rules and the recipient's size.
 * Quantities are integers of the item's stock sub-unit (pieces, kits, grams), as the stock service counts them.
 */
import type { Types } from 'mongoose';
import type { EntitlementRecord, OverlapRuleRecord, RoundRecord } from './programmes.model';

export interface EntitlementLine {
  itemId: Types.ObjectId;
  category: string;
  quantity: number;
}

/** One rule's quantity for a recipient of `size` people (0 when no size band covers it). */
export function quantityFor(rule: EntitlementRecord, size: number): number {
  if (rule.basis === 'household') return rule.quantity;
  if (rule.basis === 'member') return rule.quantity * size;
  const band = rule.bands.find((b) => size >= b.minSize && (b.maxSize === null || size <= b.maxSize));
  return band?.quantity ?? 0;
}

/** The lines a recipient receives in the round, one per item, leaving out what comes to zero. */
export function entitlementFor(round: Pick<RoundRecord, 'entitlements'>, size: number): EntitlementLine[] {
  const byItem = new Map<string, EntitlementLine>();
  for (const rule of round.entitlements) {
    const quantity = quantityFor(rule, size);
    if (quantity <= 0) continue;
    const key = String(rule.itemId);
    const line = byItem.get(key);
    if (line) line.quantity += quantity;
    else byItem.set(key, { itemId: rule.itemId, category: rule.category, quantity });
  }
  return [...byItem.values()];
}

export function categoriesOf(round: Pick<RoundRecord, 'entitlements'>): Set<string> {
  return new Set(round.entitlements.map((e) => e.category));
}

export interface PriorAid {
  roundId: string;
  at: Date;
  categories: ReadonlySet<string>;
}

export interface OverlapBreach {
  rule: OverlapRuleRecord;
  category: string;
  priorRoundIds: string[];
}

/**
 * Checks a new round's categories against the aid the same people received in the programme's other rounds.
 * `once_per_round` concerns the round itself (the duplicate check enforces it); the others look back.
 */
export function overlapBreaches(
  rules: readonly OverlapRuleRecord[],
  round: Pick<RoundRecord, 'entitlements' | 'startsOn'>,
  prior: readonly PriorAid[],
): OverlapBreach[] {
  const categories = categoriesOf(round);
  const breaches: OverlapBreach[] = [];
  const since = (days: number | null) =>
    days === null ? new Date(0) : new Date(round.startsOn.getTime() - days * 24 * 60 * 60 * 1000);
  for (const rule of rules) {
    if (rule.kind === 'max_per_period') {
      for (const category of rule.categories.filter((c) => categories.has(c))) {
        const within = prior.filter((p) => p.categories.has(category) && p.at >= since(rule.periodDays));
        if (within.length + 1 > (rule.max ?? 1)) {
          breaches.push({ rule, category, priorRoundIds: within.map((p) => p.roundId) });
        }
      }
    }
    if (rule.kind === 'exclusive') {
      for (const category of rule.categories.filter((c) => categories.has(c))) {
        const others = rule.categories.filter((c) => c !== category);
        const excluding = prior.filter(
          (p) => p.at >= since(rule.periodDays) && others.some((other) => p.categories.has(other)),
        );
        if (excluding.length > 0) {
          breaches.push({ rule, category, priorRoundIds: excluding.map((p) => p.roundId) });
        }
      }
    }
  }
  return breaches;
}
