import { STAFF_VERIFIER_PARAMS, staffCodeVerifier, staffVerifierSalt } from '../../platform/staff-code-verifier.ts';
import type { OfflineStaff } from '../../protocol/commerce/snapshot.ts';

/** A snapshot's `staff` entry for a person whose staff code is `code`, made as the fleet makes it. */
export async function offlineStaffEntry(userId: string, username: string, code: string): Promise<OfflineStaff> {
  const salt = staffVerifierSalt();
  return {
    userId,
    username,
    salt,
    verifier: await staffCodeVerifier(code, salt, STAFF_VERIFIER_PARAMS),
    params: STAFF_VERIFIER_PARAMS,
  };
}
