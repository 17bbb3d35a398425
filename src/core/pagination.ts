/**
 * The one pagination shape of list answers, and the helpers services use to build it. Domain-neutral: the Joi keys
 * that read `limit` and `offset` from a query string live at the edge (src/http/joi-rules.ts).
 */
import type { CollationOptions } from 'mongodb';
import type { Model, QueryFilter, SortOrder } from 'mongoose';

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  data: T[];
  page: { limit: number; offset: number; total: number };
}

/** The body of every list endpoint. */
export function pageOf<T>(items: T[], total: number, { limit, offset }: PageRequest): Page<T> {
  return { data: items, page: { limit, offset, total } };
}

/**
 * The condition of a list's `q` filter: a case-insensitive "contains", with the text matched literally (a `.` or `(`
 * typed in a search box is not a pattern).
 */
export function containsText(text: string): { $regex: string; $options: 'i' } {
  return { $regex: text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
}

/**
 * Runs a paged, counted, lean query: the common case of a list endpoint's service. Give a stable sort
 * (ending with `_id`) so that pages do not overlap, and the collation of a sort by names (src/core/collation.ts).
 */
export async function paginate<T>(
  model: Model<T>,
  filter: QueryFilter<T>,
  page: PageRequest,
  sort: Record<string, SortOrder> = { _id: 1 },
  collation?: CollationOptions,
): Promise<Page<T>> {
  const find = model.find(filter).sort(sort).skip(page.offset).limit(page.limit);
  const count = model.countDocuments(filter);
  if (collation) {
    find.collation(collation);
    count.collation(collation);
  }
  const [items, total] = await Promise.all([find.lean<T[]>(), count]);
  return pageOf(items, total, page);
}
