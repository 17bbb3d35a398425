/**
 * Every permission a route can require, and which roles hold it: the one table of the access model.
 * A route names exactly one permission (see http/route-registry.ts); roles are sets of permissions.
 */
export const PERMISSIONS = [
  'catalog:read',
  'catalog:write',
  'warehouses:read',
  'warehouses:write',
  'donors:read',
  'donors:write',
  'donations:read',
  'donations:write',
  'stock:read',
  'stock:write',
  'shipments:read',
  'shipments:write',
  'households:read',
  'households:write',
  'distributions:read',
  'distributions:write',
  'reports:read',
  'alerts:read',
  'alerts:write',
  'webhooks:manage',
  'jobs:manage',
  'imports:write',
  'exports:read',
  'verification:manage',
  'organisations:read',
  'organisations:manage',
  'users:manage',
  'apikeys:manage',
  'audit:read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'warehouse', 'logistics', 'coordinator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const READ_STOCK: Permission[] = ['catalog:read', 'warehouses:read', 'stock:read'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  warehouse: [
    ...READ_STOCK,
    'catalog:write',
    'warehouses:write',
    'donors:read',
    'donors:write',
    'donations:read',
    'donations:write',
    'stock:write',
    'shipments:read',
    'organisations:read',
    'alerts:read',
    'alerts:write',
    'imports:write',
    'exports:read',
    'verification:manage',
  ],
  logistics: [
    ...READ_STOCK,
    'shipments:read',
    'shipments:write',
    'donations:read',
    'donors:read',
    'organisations:read',
    'alerts:read',
    'alerts:write',
  ],
  coordinator: [
    ...READ_STOCK,
    'households:read',
    'households:write',
    'distributions:read',
    'distributions:write',
    'organisations:read',
    'alerts:read',
    'alerts:write',
  ],
  viewer: [
    ...READ_STOCK,
    'donors:read',
    'donations:read',
    'shipments:read',
    'reports:read',
    'organisations:read',
    'alerts:read',
  ],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role]));
}

/** Who is acting: a logged-in user, an API key, or the system itself (jobs, seed scripts). */
export interface Actor {
  kind: 'user' | 'apiKey' | 'system';
  id: string;
  /** Display name for ledger entries and audit: the user's name, the key's label, or 'system'. */
  name: string;
  organisationId: string | null;
  roles: readonly Role[];
  permissions: ReadonlySet<Permission>;
}

export const SYSTEM_ACTOR: Actor = {
  kind: 'system',
  id: 'system',
  name: 'system',
  organisationId: null,
  roles: ['admin'],
  permissions: permissionsOf(['admin']),
};
