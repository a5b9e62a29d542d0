import { ApiError, describeError } from '../../api/api-client.ts';

/**
 * What an OTA refusal means to the person who caused it, by its code (protocol/errors.ts); the server's own message
 * follows for the particulars (which key, which version, which problem).
 */
const HUMAN: Record<string, string> = {
  RELEASE_INVALID: 'The release does not match the manifest rules.',
  RELEASE_SIGNATURE_INVALID: 'No signature verifies against this manifest.',
  RELEASE_KEY_UNKNOWN: 'The manifest is signed with a key the fleet does not trust.',
  RELEASE_HASH_MISMATCH: 'The uploaded file does not match the manifest’s sha256 or size.',
  RELEASE_EXISTS: 'A release of this name and version exists already (releases never change).',
  RELEASE_NOT_FOUND: 'That release does not exist.',
  RELEASE_SIGNING_KEY_MISSING: 'The fleet has no signing key, so it cannot sign this release itself.',
  RELEASE_IN_USE: 'A rollout that has not finished still uses this release.',
  ROLLOUT_INVALID: 'The rollout does not add up.',
  ROLLOUT_NOT_FOUND: 'That rollout does not exist, or it touches none of your stores.',
  ROLLOUT_STATE_INVALID: 'The rollout’s state does not allow this now.',
  ROLLOUT_DOWNGRADE: 'This would install a lower version: allow the downgrade explicitly to go ahead.',
  PAYLOAD_TOO_LARGE: 'The file is larger than the fleet accepts for a release.',
  NOT_AUTHORIZED: 'Your role does not allow this action.',
};

/** A refusal as one readable sentence (its code shown apart, `data-code`). */
export function describeOtaError(err: unknown): string {
  if (err instanceof ApiError && HUMAN[err.code]) {
    const detail = err.message && err.message !== err.code ? ` (${err.message})` : '';
    return `${HUMAN[err.code]}${detail}`;
  }
  return describeError(err);
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof ApiError ? err.code : undefined;
}

export { detailProblems } from './refusal.ts';
