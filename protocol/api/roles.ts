/**
 * Roles and what each may do. A role says which actions a person may take; their scope (stores and regions) says
 * where. The fleet checks both on every route, socket event and query; the console reads the same table to offer
 * only what the server will allow (`permissions` of `GET /api/auth/me`).
 */
export const ROLES = ['hq-admin', 'store-manager', 'technician', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'stores:read',
  'devices:read',
  'devices:desired',
  'devices:register',
  'devices:revoke',
  'devices:approve',
  /** Every command (reboot, diagnostics, logs, locate). */
  'commands:send',
  /** Only `locate`: a store manager finds a cart, a technician does the rest. */
  'commands:locate',
  'alerts:read',
  'alerts:manage',
  'alert-rules:write',
  'users:manage',
  'audit:read',
  'metrics:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = ['stores:read', 'devices:read', 'alerts:read'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  'hq-admin': new Set(PERMISSIONS),
  'store-manager': new Set([...READ, 'devices:desired', 'commands:locate', 'alerts:manage', 'audit:read']),
  technician: new Set([
    ...READ,
    'devices:desired',
    'devices:register',
    'devices:revoke',
    'devices:approve',
    'commands:send',
    'commands:locate',
    'alerts:manage',
  ]),
  viewer: new Set(READ),
};

/** Whether a role's scope is the whole chain regardless of the stores and regions listed on the user. */
export function isChainWideRole(role: Role): boolean {
  return role === 'hq-admin';
}
