import type { CreateCertificateFromCsrRequest, RegisterThingRequest } from '../../protocol/topics.ts';

/** A request payload that is not what the operation takes: answered `InvalidPayload`. */
export class RequestPayloadError extends Error {}

/** AWS's limits on RegisterThing parameters (keys up to 2048, values up to 4096 characters); fewer entries here. */
const MAX_PARAMETERS = 20;
const MAX_CSR_CHARACTERS = 16 * 1024;

function parseObject(payload: Buffer, allowEmpty: boolean): Record<string, unknown> {
  const text = payload.toString('utf8');
  if (allowEmpty && text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestPayloadError('the payload is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestPayloadError('the payload must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** CreateKeysAndCertificate: an empty object (or an empty payload). */
export function parseCreateKeysRequest(payload: Buffer): void {
  parseObject(payload, true);
}

export function parseCsrRequest(payload: Buffer): CreateCertificateFromCsrRequest {
  const body = parseObject(payload, false);
  const csr = body.certificateSigningRequest;
  if (typeof csr !== 'string' || csr.length === 0) {
    throw new RequestPayloadError('certificateSigningRequest must be a non-empty string');
  }
  if (csr.length > MAX_CSR_CHARACTERS) throw new RequestPayloadError('certificateSigningRequest is too long');
  return { certificateSigningRequest: csr };
}

/** Other keys are ignored: AWS's SDK also sends `templateName`. */
export function parseRegisterThingRequest(payload: Buffer): RegisterThingRequest {
  const body = parseObject(payload, false);
  const token = body.certificateOwnershipToken;
  if (typeof token !== 'string') throw new RequestPayloadError('certificateOwnershipToken must be a string');
  const parameters = body.parameters;
  if (parameters === undefined || parameters === null) return { certificateOwnershipToken: token };
  if (typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new RequestPayloadError('parameters must be an object of strings');
  }
  const entries = Object.entries(parameters as Record<string, unknown>);
  if (entries.length > MAX_PARAMETERS) throw new RequestPayloadError(`at most ${MAX_PARAMETERS} parameters`);
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || key.length > 2048 || value.length > 4096) {
      throw new RequestPayloadError(`parameter '${key.slice(0, 64)}' must be a string`);
    }
  }
  return { certificateOwnershipToken: token, parameters: Object.fromEntries(entries) as Record<string, string> };
}
