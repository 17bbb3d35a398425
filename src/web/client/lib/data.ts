/** Reference data every screen needs (items, warehouses, donors), loaded whole once and cached. */
import { useQuery } from '@tanstack/react-query';
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

export function useItems() {
  return useQuery({ queryKey: ['items'], queryFn: () => allPages<Item>('/items', { active: true }), ...REFERENCE });
}

export function useWarehouses() {
  return useQuery({ queryKey: ['warehouses'], queryFn: () => allPages<Warehouse>('/warehouses'), ...REFERENCE });
}

export function useDonors() {
  return useQuery({ queryKey: ['donors'], queryFn: () => allPages<Donor>('/donors'), ...REFERENCE });
}
