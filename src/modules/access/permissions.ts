/**
 * Every permission a route can require, and which roles hold it: the one table of the access model.
 * A route names exactly one permission (see http/route-registry.ts); roles are sets of permissions.
 *
 * Every role but `operator` acts inside its own organisation: which records it reaches is decided by the scoped
 * access path (scope.ts), not by the role. `operator` is the deployment's: it creates organisations, hubs and their
 * first admins, and holds no permission on any organisation's records.
 */
export const PERMISSIONS = [
  'catalog:read',
  'catalog:write',
  'warehouses:read',
  'warehouses:write',
  'donors:read',
  'donors:write',
  'donors:contact',
  'donations:read',
  'donations:write',
  'stock:read',
  'stock:write',
  'shipments:read',
  'shipments:write',
  /** Add, move and remove handling units; pack and unpack. */
  'shipments:pack',
  /** Record arrival and receive: open, count and post receipts. */
  'shipments:receive',
  'households:read',
  'households:write',
  'distributions:read',
  'distributions:write',
  'households:reveal',
  'aid:override',
  'reports:read',
  'alerts:read',
  'alerts:write',
  'webhooks:manage',
  'jobs:manage',
  'imports:write',
  'exports:read',
  'verification:manage',
  'organisations:read',
  'organisations:edit',
  'organisations:manage',
  'hubs:read',
  'users:manage',
  'apikeys:manage',
  'audit:read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'warehouse', 'logistics', 'coordinator', 'supervisor', 'viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Permissions of the deployment, never of an organisation: only the operator holds them. Scheduled jobs work across
 * every organisation (reconciliation, expiry warnings), so running one by hand is the deployment's too.
 */
const DEPLOYMENT_PERMISSIONS: readonly Permission[] = ['organisations:manage', 'jobs:manage'];

const READ_STOCK: Permission[] = ['catalog:read', 'warehouses:read', 'stock:read'];

const COORDINATOR: Permission[] = [
  ...READ_STOCK,
  'households:read',
  'households:write',
  // IINs, phones and addresses in clear, for the coordinator who calls or visits a family (each reveal is audited).
  'households:reveal',
  'distributions:read',
  'distributions:write',
  'organisations:read',
  // Households from a spreadsheet (each import kind also needs its own write permission: households:write here),
  // and to one (each export also needs the permission to read its records: households:read here; IINs masked).
  'imports:write',
  'exports:read',
];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS.filter((permission) => !DEPLOYMENT_PERMISSIONS.includes(permission)),
  warehouse: [
    ...READ_STOCK,
    'catalog:write',
    'warehouses:write',
    'donors:read',
    'donors:write',
    'donors:contact',
    'donations:read',
    'donations:write',
    'stock:write',
    'shipments:read',
    'shipments:pack',
    'shipments:receive',
    'organisations:read',
    'reports:read',
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
    'shipments:pack',
    'donations:read',
    'donors:read',
    'organisations:read',
    'reports:read',
    'alerts:read',
    'alerts:write',
  ],
  coordinator: [...COORDINATOR, 'reports:read', 'alerts:read', 'alerts:write'],
  // A coordinator who may also let a duplicate enrolment through (with a reason, audited).
  supervisor: [...COORDINATOR, 'reports:read', 'alerts:read', 'alerts:write', 'aid:override'],
  viewer: [
    ...READ_STOCK,
    'donors:read',
    'donations:read',
    'shipments:read',
    'reports:read',
    'hubs:read',
    'organisations:read',
    'alerts:read',
  ],
  operator: ['organisations:read', 'organisations:edit', 'organisations:manage', 'hubs:read', 'jobs:manage'],
};

/** Computed once per combination of roles: every authenticated request asks. */
const permissionsByRoles = new Map<string, ReadonlySet<Permission>>();

export function permissionsOf(roles: readonly Role[]): ReadonlySet<Permission> {
  const key = roles.join(',');
  let permissions = permissionsByRoles.get(key);
  if (!permissions) {
    permissions = new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role]));
    permissionsByRoles.set(key, permissions);
  }
  return permissions;
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

/**
 * The deployment acting by itself (the seed creating organisations, a job): an operator, with no organisation, so it
 * reaches no organisation's records. To act inside one, use `organisationActor`.
 */
export const SYSTEM_ACTOR: Actor = {
  kind: 'system',
  id: 'system',
  name: 'system',
  organisationId: null,
  roles: ['operator'],
  permissions: permissionsOf(['operator']),
};

/** The system acting as an admin of one organisation (the seed loading its stock, a job working on its records). */
export function organisationActor(organisationId: string, name = 'system'): Actor {
  return {
    kind: 'system',
    id: 'system',
    name,
    organisationId,
    roles: ['admin'],
    permissions: permissionsOf(['admin']),
  };
}
