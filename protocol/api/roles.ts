/**
 * Roles and what each may do. A role says which actions a person may take; their scope (stores and regions) says
 * where. The fleet checks both on every route, socket event and query; the console reads the same table to offer
 * only what the server will allow (`permissions` of `GET /api/auth/me`).
 */
/**
 * `attendant`: store staff on the floor (smart-cart issue): resolves the attendant queue (age checks, weight
 * mismatches), verifies receipts at the exit, takes offline payments; nothing else.
 */
export const ROLES = ['hq-admin', 'store-manager', 'technician', 'attendant', 'viewer'] as const;
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
  // Commerce. Chain-wide data (the catalog, chain promotions, earn rules) is written by chain-wide roles only; a
  // store-scoped role writes its own stores' prices and store promotions (the scope check is the route's).
  'catalog:read',
  'catalog:write',
  'prices:write',
  'promotions:write',
  'members:read',
  'members:write',
  'points:adjust',
  'coupons:issue',
  'orders:read',
  'orders:refund',
  'orders:verify-exit',
  'attendants:manage',
  /** Open a cart's screen read-only from the console, to help a shopper. */
  'carts:screen',
  // Broadcast. Chain-wide programmes and HQ campaigns are written by chain-wide roles only; a store-scoped role
  // writes its own stores' campaigns, opt-ins and overrides, and inserts announcements there.
  'broadcast:read',
  /** Upload content and make announcer assets. */
  'content:write',
  'campaigns:write',
  /** Ad-hoc announcements now or at a time; also clears an emergency. */
  'broadcast:insert',
  /** Start an emergency announcement. */
  'broadcast:emergency',
  // OTA. HQ publishes releases and runs rollouts; a store manager sees rollouts touching their stores; a technician
  // retries one device's failed execution (and takes it out of the penalty box).
  'releases:read',
  'releases:publish',
  'rollouts:read',
  'rollouts:manage',
  'rollouts:retry-device',
  // Product recognition (issue 11). Staff read a store's gallery, its carts' models and the field accuracy; HQ and a
  // store's manager enrol products with photos and build its gallery; HQ sets the contributions opt-in and planograms.
  'vision:read',
  'vision:enrol',
  'vision:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = ['stores:read', 'devices:read', 'alerts:read'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  'hq-admin': new Set(PERMISSIONS),
  'store-manager': new Set([
    ...READ,
    'devices:desired',
    'commands:locate',
    'alerts:manage',
    'audit:read',
    'catalog:read',
    'prices:write',
    'promotions:write',
    'members:read',
    'coupons:issue',
    'orders:read',
    'orders:refund',
    'orders:verify-exit',
    'attendants:manage',
    'carts:screen',
    'broadcast:read',
    'content:write',
    'campaigns:write',
    'broadcast:insert',
    'broadcast:emergency',
    'rollouts:read',
    'vision:read',
    'vision:enrol',
  ]),
  technician: new Set([
    ...READ,
    'broadcast:read',
    'releases:read',
    'rollouts:read',
    'rollouts:retry-device',
    'devices:desired',
    'devices:register',
    'devices:revoke',
    'devices:approve',
    'commands:send',
    'commands:locate',
    'alerts:manage',
    'vision:read',
  ]),
  attendant: new Set([
    'stores:read',
    'catalog:read',
    'orders:read',
    'orders:verify-exit',
    'attendants:manage',
    'carts:screen',
  ]),
  viewer: new Set([...READ, 'catalog:read', 'broadcast:read', 'releases:read', 'rollouts:read', 'vision:read']),
};

/** Whether a role's scope is the whole chain regardless of the stores and regions listed on the user. */
export function isChainWideRole(role: Role): boolean {
  return role === 'hq-admin';
}
