/**
 * Reference data every screen needs (items, warehouses, donors), loaded whole once and cached. Pickers list them by
 * name in the reader's language and its alphabet's order, so the cache is kept per language.
 */
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Page } from './api';
import type { Donor, Item, Warehouse } from './types';

const PAGE = 200;

/** Every page of a list endpoint (the catalog and the warehouses are small: tens to hundreds of records). */
export async function allPages<T>(path: string, query: Record<string, string | number | boolean> = {}): Promise<T[]> {
  const records: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await api<Page<T>>(path, { query: { ...query, limit: PAGE, offset } });
    records.push(...page.data);
    if (records.length >= page.page.total || page.data.length === 0) return records;
  }
}

const REFERENCE = { staleTime: 5 * 60_000, gcTime: 24 * 60 * 60_000 };

function useReaderLang(): string {
  return useTranslation().i18n.language;
}

export function useItems() {
  const lang = useReaderLang();
  return useQuery({
    queryKey: ['items', lang],
    queryFn: () => allPages<Item>('/items', { active: true, sort: 'name' }),
    ...REFERENCE,
  });
}

export function useWarehouses() {
  const lang = useReaderLang();
  return useQuery({
    queryKey: ['warehouses', lang],
    queryFn: () => allPages<Warehouse>('/warehouses', { sort: 'name' }),
    ...REFERENCE,
  });
}

export function useDonors() {
  const lang = useReaderLang();
  return useQuery({ queryKey: ['donors', lang], queryFn: () => allPages<Donor>('/donors'), ...REFERENCE });
}
