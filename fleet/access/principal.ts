import type { Permission, Role } from '../../protocol/api/roles.ts';
import { ROLE_PERMISSIONS } from '../../protocol/api/roles.ts';

/** Who is asking: a signed-in person (browser session) or a script holding one of their API tokens. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** The stores this principal may see; `null` means the whole chain (and devices not yet assigned a store). */
  storeIds: ReadonlySet<string> | null;
  via: 'session' | 'token';
  mustChangePassword: boolean;
  /** The session's CSRF secret (browser sessions only). */
  csrf: string | null;
}

export function can(principal: Principal, permission: Permission): boolean {
  return ROLE_PERMISSIONS[principal.role].has(permission);
}

/** Whether a resource in `storeId` (null: not assigned to a store) is within the principal's scope. */
export function inScope(principal: Principal, storeId: string | null): boolean {
  if (principal.storeIds === null) return true;
  return storeId !== null && principal.storeIds.has(storeId);
}

export function permissionsOf(principal: Principal): Permission[] {
  return [...ROLE_PERMISSIONS[principal.role]];
}
