import {
  type JsonObject,
  type JsonValue,
  SHADOW_MAX_CLIENT_TOKEN_BYTES,
  SHADOW_MAX_DEPTH,
  ShadowErrors,
  type ShadowMetadata,
  type ShadowMetadataValue,
  type ShadowState,
} from '../../protocol/shadow.ts';

/**
 * The AWS IoT Device Shadow document logic, without I/O, clock or MQTT: request parsing and validation, the
 * update merge (null deletes, pruning of emptied objects, arrays replaced whole), per-leaf metadata, optimistic
 * versioning, the delta, and the exact payloads of update/accepted, update/delta, update/documents, get/accepted,
 * delete/accepted and the rejected topics. The caller passes the time (`nowSeconds`, integer epoch seconds).
 */

export interface StoredShadow {
  state: { desired?: JsonObject; reported?: JsonObject };
  metadata: { desired?: ShadowMetadata; reported?: ShadowMetadata };
  version: number;
}

/** The payload of a `.../rejected` topic. 404 and 409 carry no timestamp, as on AWS. */
export interface ShadowRejection {
  code: number;
  message: string;
  clientToken?: string;
  timestamp?: number;
}

export interface UpdateRequest {
  /** `null` clears desired and reported (`{"state": null}`). */
  state: ShadowState | null;
  clientToken?: string;
  version?: number;
}

/** `$aws/.../update/accepted`: the request state echoed, metadata for the request's leaves only. */
export interface UpdateAcceptedPayload {
  state: ShadowState | null;
  metadata: ShadowMetadata | { timestamp: number };
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** `$aws/.../update/delta`: the full delta (no desired/reported wrapper) with the desired timestamps. */
export interface DeltaPayload {
  state: JsonObject;
  metadata: ShadowMetadata;
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** One side of `$aws/.../update/documents`. Never contains a delta. */
export interface ShadowSnapshot {
  state: { desired?: JsonObject; reported?: JsonObject };
  metadata: { desired?: ShadowMetadata; reported?: ShadowMetadata };
  version: number;
}

/** `$aws/.../update/documents`; `previous` is null when the update created the shadow. */
export interface DocumentsPayload {
  previous: ShadowSnapshot | null;
  current: ShadowSnapshot;
  timestamp: number;
  clientToken?: string;
}

/** `$aws/.../get/accepted`. */
export interface GetAcceptedPayload {
  state: { desired?: JsonObject; reported?: JsonObject; delta?: JsonObject };
  metadata: { desired?: ShadowMetadata; reported?: ShadowMetadata };
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** `$aws/.../delete/accepted`: the version the shadow had (a delete does not bump it). */
export interface DeleteAcceptedPayload {
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface UpdateOutcome {
  /** The shadow to store. */
  next: StoredShadow;
  accepted: UpdateAcceptedPayload;
  /** `undefined` when desired and reported agree: no /update/delta message then. */
  delta: DeltaPayload | undefined;
  documents: DocumentsPayload;
}

type ErrorTemplate = { readonly code: number; readonly message: string };
type Parsed<T> = { ok: true; value: T } | { ok: false; error: ShadowRejection };

// ---------------------------------------------------------------------------------------------------------------
// JSON helpers. Keys come from untrusted JSON, so "__proto__", "constructor" and friends must be ordinary keys:
// reads go through hasOwn and writes through defineProperty.

const utf8Encoder = new TextEncoder();

export function utf8ByteLength(text: string): number {
  return utf8Encoder.encode(text).length;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own<T>(object: { [key: string]: T }, key: string): T | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function put<T>(object: { [key: string]: T }, key: string, value: T): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isEmptyObject(value: object): boolean {
  return Object.keys(value).length === 0;
}

/** Deep equality of JSON values; numbers compare by value (1 equals 1.0), object key order does not matter. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i] as JsonValue));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key] as JsonValue, b[key] as JsonValue));
  }
  return false;
}

function isLeafMetadata(value: ShadowMetadataValue | undefined): value is { timestamp: number } {
  return isJsonObject(value) && typeof (value as { timestamp?: unknown }).timestamp === 'number';
}

function isObjectMetadata(value: ShadowMetadataValue | undefined): value is ShadowMetadata {
  return isJsonObject(value) && !isLeafMetadata(value);
}

/** The metadata of a value written at `timestamp`: `{timestamp}` per leaf (null included), arrays element-wise. */
export function metadataFor(value: JsonValue, timestamp: number): ShadowMetadataValue {
  if (Array.isArray(value)) return value.map((item) => metadataFor(item, timestamp));
  if (isJsonObject(value)) {
    const metadata: ShadowMetadata = {};
    for (const [key, item] of Object.entries(value)) put(metadata, key, metadataFor(item, timestamp));
    return metadata;
  }
  return { timestamp };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

function rejection(template: ErrorTemplate, clientToken?: string, timestamp?: number): ShadowRejection {
  const error: ShadowRejection = { code: template.code, message: template.message };
  if (timestamp !== undefined) error.timestamp = timestamp;
  if (clientToken !== undefined) error.clientToken = clientToken;
  return error;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 and JSON; anything that is not a JSON object is "Invalid JSON". */
function parseJsonObject(payload: Uint8Array, nowSeconds: number | undefined): Parsed<JsonObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decoder.decode(payload));
  } catch {
    return { ok: false, error: rejection(ShadowErrors.invalidJson, undefined, nowSeconds) };
  }
  if (!isJsonObject(parsed)) return { ok: false, error: rejection(ShadowErrors.invalidJson, undefined, nowSeconds) };
  return { ok: true, value: parsed };
}

function isValidClientToken(value: JsonValue | undefined): value is string {
  return typeof value === 'string' && utf8ByteLength(value) <= SHADOW_MAX_CLIENT_TOKEN_BYTES;
}

/** A `clientToken` of null counts as absent; anything else must be a string of at most 64 UTF-8 bytes. */
function readClientToken(document: JsonObject, nowSeconds: number | undefined): Parsed<string | undefined> {
  const token = own(document, 'clientToken');
  if (token === undefined || token === null) return { ok: true, value: undefined };
  if (!isValidClientToken(token)) {
    return { ok: false, error: rejection(ShadowErrors.invalidClientToken, undefined, nowSeconds) };
  }
  return { ok: true, value: token };
}

/**
 * The nesting depth rule of AWS's own local shadow service (Greengrass ShadowManager): every object or array is a
 * level, `state` is level 1, and more than {@link SHADOW_MAX_DEPTH} levels are rejected. So `desired` holds at
 * most 4 further levels. Stops descending as soon as the limit is passed, so the recursion stays shallow.
 */
export function exceedsMaxDepth(value: JsonValue, level = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  const depth = level + 1;
  if (depth > SHADOW_MAX_DEPTH) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => exceedsMaxDepth(child, depth));
}

/** AWS: "Arrays can't have null values". */
function hasNullInArray(value: JsonValue, insideArray = false): boolean {
  if (value === null) return insideArray;
  if (Array.isArray(value)) return value.some((item) => hasNullInArray(item, true));
  if (isJsonObject(value)) return Object.values(value).some((item) => hasNullInArray(item, false));
  return false;
}

/**
 * Parses and validates an `/update` payload. The checks run in this order, and the first failure is the answer:
 * UTF-8 and JSON object, `state` present and an object (or null), `desired`/`reported` objects (or null), no other
 * node inside `state`, clientToken, version, nesting depth, null inside arrays. The clientToken is echoed in every
 * rejection where it could be read (it is a string of at most 64 bytes). Top-level keys other than `state`,
 * `clientToken` and `version` are ignored, as AWS ignores content outside desired and reported.
 */
export function parseUpdateRequest(
  payload: Uint8Array,
  nowSeconds?: number,
): { ok: true; request: UpdateRequest } | { ok: false; error: ShadowRejection } {
  const parsed = parseJsonObject(payload, nowSeconds);
  if (!parsed.ok) return parsed;
  const document = parsed.value;

  const rawToken = own(document, 'clientToken');
  const echo = isValidClientToken(rawToken) ? rawToken : undefined;
  const fail = (template: ErrorTemplate, clientToken: string | undefined = echo) =>
    ({ ok: false, error: rejection(template, clientToken, nowSeconds) }) as const;

  const state = own(document, 'state');
  if (state === undefined) return fail(ShadowErrors.missingState);
  if (state !== null && !isJsonObject(state)) return fail(ShadowErrors.stateNotObject);
  if (state !== null) {
    const desired = own(state, 'desired');
    if (desired !== undefined && desired !== null && !isJsonObject(desired)) return fail(ShadowErrors.desiredNotObject);
    const reported = own(state, 'reported');
    if (reported !== undefined && reported !== null && !isJsonObject(reported)) {
      return fail(ShadowErrors.reportedNotObject);
    }
    if (Object.keys(state).some((key) => key !== 'desired' && key !== 'reported')) {
      return fail(ShadowErrors.invalidStateNode);
    }
  }

  const token = readClientToken(document, nowSeconds);
  if (!token.ok) return { ok: false, error: token.error };
  const clientToken = token.value;

  const rawVersion = own(document, 'version');
  let version: number | undefined;
  if (rawVersion !== undefined && rawVersion !== null) {
    if (typeof rawVersion !== 'number' || !Number.isSafeInteger(rawVersion) || rawVersion < 0) {
      return fail(ShadowErrors.invalidVersion, clientToken);
    }
    version = rawVersion;
  }

  if (state !== null) {
    if (exceedsMaxDepth(state)) return fail(ShadowErrors.tooDeep, clientToken);
    if (hasNullInArray(state)) return fail(ShadowErrors.invalidJson, clientToken);
  }

  const request: UpdateRequest = { state: state as ShadowState | null };
  if (clientToken !== undefined) request.clientToken = clientToken;
  if (version !== undefined) request.version = version;
  return { ok: true, request };
}

/** Parses a `/get` or `/delete` payload: empty, or a JSON object whose optional clientToken is validated. */
export function parseTokenRequest(
  payload: Uint8Array,
  nowSeconds?: number,
): { ok: true; clientToken?: string } | { ok: false; error: ShadowRejection } {
  if (payload.length === 0) return { ok: true };
  const parsed = parseJsonObject(payload, nowSeconds);
  if (!parsed.ok) return parsed;
  const token = readClientToken(parsed.value, nowSeconds);
  if (!token.ok) return { ok: false, error: token.error };
  return token.value === undefined ? { ok: true } : { ok: true, clientToken: token.value };
}

// ---------------------------------------------------------------------------------------------------------------
// Merge

interface Section {
  value: JsonObject;
  metadata: ShadowMetadata;
}

/**
 * Merges `patch` into a section, returning new objects (the inputs are not modified). A null deletes the key and
 * its metadata; objects merge key by key; arrays and scalars replace the old value, whose metadata is replaced
 * wholesale. An object left empty by the merge is removed, at every level, so the stored document never holds an
 * empty object (objects inside arrays are stored as given).
 */
export function mergeSection(
  base: JsonObject | undefined,
  baseMetadata: ShadowMetadata | undefined,
  patch: JsonObject,
  timestamp: number,
): Section {
  const value: JsonObject = base ? { ...base } : {};
  const metadata: ShadowMetadata = baseMetadata ? { ...baseMetadata } : {};
  for (const [key, patchValue] of Object.entries(patch)) {
    if (patchValue === null) {
      delete value[key];
      delete metadata[key];
      continue;
    }
    if (isJsonObject(patchValue)) {
      const old = own(value, key);
      const oldMetadata = own(metadata, key);
      const child = isJsonObject(old)
        ? mergeSection(old, isObjectMetadata(oldMetadata) ? oldMetadata : undefined, patchValue, timestamp)
        : mergeSection(undefined, undefined, patchValue, timestamp);
      if (isEmptyObject(child.value)) {
        delete value[key];
        delete metadata[key];
      } else {
        put(value, key, child.value);
        put(metadata, key, child.metadata);
      }
      continue;
    }
    put(value, key, cloneJson(patchValue));
    put(metadata, key, metadataFor(patchValue, timestamp));
  }
  return { value, metadata };
}

/** UTF-8 size of desired plus reported as compact JSON; metadata does not count (AWS's 8 KB rule). */
export function stateByteLength(state: StoredShadow['state']): number {
  let size = 0;
  if (state.desired !== undefined) size += utf8ByteLength(JSON.stringify(state.desired));
  if (state.reported !== undefined) size += utf8ByteLength(JSON.stringify(state.reported));
  return size;
}

// ---------------------------------------------------------------------------------------------------------------
// Delta

/**
 * The desired values that differ from reported: keys missing from reported, changed scalars, differing arrays
 * (whole), differing types (the desired value), nested objects as paths from the root. Reported-only keys never
 * appear. `undefined` when nothing differs.
 */
export function computeDelta(
  desired: JsonObject | undefined,
  reported: JsonObject | undefined,
): JsonObject | undefined {
  if (desired === undefined) return undefined;
  const delta: JsonObject = {};
  for (const [key, desiredValue] of Object.entries(desired)) {
    const reportedValue = reported === undefined ? undefined : own(reported, key);
    if (reportedValue === undefined) {
      put(delta, key, cloneJson(desiredValue));
    } else if (isJsonObject(desiredValue) && isJsonObject(reportedValue)) {
      const child = computeDelta(desiredValue, reportedValue);
      if (child !== undefined) put(delta, key, child);
    } else if (!jsonEqual(desiredValue, reportedValue)) {
      put(delta, key, cloneJson(desiredValue));
    }
  }
  return isEmptyObject(delta) ? undefined : delta;
}

/** The delta-shaped slice of the desired metadata. */
function deltaMetadata(delta: JsonObject, desiredMetadata: ShadowMetadata | undefined): ShadowMetadata {
  const metadata: ShadowMetadata = {};
  if (desiredMetadata === undefined) return metadata;
  for (const [key, value] of Object.entries(delta)) {
    const entry = own(desiredMetadata, key);
    if (entry === undefined) continue;
    if (isJsonObject(value) && isObjectMetadata(entry)) put(metadata, key, deltaMetadata(value, entry));
    else put(metadata, key, cloneJson(entry));
  }
  return metadata;
}

// ---------------------------------------------------------------------------------------------------------------
// Update

function snapshot(shadow: StoredShadow): ShadowSnapshot {
  const state: ShadowSnapshot['state'] = {};
  if (shadow.state.desired !== undefined) state.desired = cloneJson(shadow.state.desired);
  if (shadow.state.reported !== undefined) state.reported = cloneJson(shadow.state.reported);
  const metadata: ShadowSnapshot['metadata'] = {};
  if (shadow.metadata.desired !== undefined) metadata.desired = cloneJson(shadow.metadata.desired);
  if (shadow.metadata.reported !== undefined) metadata.reported = cloneJson(shadow.metadata.reported);
  return { state, metadata, version: shadow.version };
}

function withToken<T extends object>(payload: T, clientToken: string | undefined): T & { clientToken?: string } {
  return clientToken === undefined ? payload : { ...payload, clientToken };
}

/**
 * Applies a parsed update to the current shadow (`undefined` when none exists; `deletedVersion` is the version of a
 * recently deleted one, which a re-created shadow continues). The request version, when given, must equal the
 * current version (or `deletedVersion ?? 0` for a shadow that does not exist), else 409. The merged desired plus
 * reported must fit in `maxStateBytes`, else 413. Every accepted update bumps the version by one, `{"state": {}}`
 * included. `current` is not modified; `next` may share unchanged subtrees with it, so treat both as immutable. The
 * payloads share nothing with either.
 */
export function applyUpdate(
  current: StoredShadow | undefined,
  deletedVersion: number | undefined,
  request: UpdateRequest,
  nowSeconds: number,
  maxStateBytes: number,
): { ok: true; outcome: UpdateOutcome } | { ok: false; error: ShadowRejection } {
  const { clientToken } = request;
  const baseVersion = current ? current.version : (deletedVersion ?? 0);
  if (request.version !== undefined && request.version !== baseVersion) {
    return { ok: false, error: rejection(ShadowErrors.versionConflict, clientToken) };
  }

  const version = baseVersion + 1;
  const next: StoredShadow = { state: {}, metadata: {}, version };
  if (request.state !== null) {
    for (const section of ['desired', 'reported'] as const) {
      const patch = request.state[section];
      const oldValue = current?.state[section];
      const oldMetadata = current?.metadata[section];
      let merged: Section | undefined;
      if (patch === undefined) {
        merged = oldValue === undefined ? undefined : { value: oldValue, metadata: oldMetadata ?? {} };
      } else if (patch !== null) {
        merged = mergeSection(oldValue, oldMetadata, patch, nowSeconds);
      }
      if (merged !== undefined && !isEmptyObject(merged.value)) {
        next.state[section] = merged.value;
        next.metadata[section] = merged.metadata;
      }
    }
  }

  if (stateByteLength(next.state) > maxStateBytes) {
    return { ok: false, error: rejection(ShadowErrors.payloadTooLarge, clientToken, nowSeconds) };
  }

  const accepted = withToken(
    {
      state: request.state === null ? null : cloneJson(request.state),
      metadata: metadataFor(request.state as JsonValue, nowSeconds) as UpdateAcceptedPayload['metadata'],
      version,
      timestamp: nowSeconds,
    },
    clientToken,
  );

  const deltaState = computeDelta(next.state.desired, next.state.reported);
  const delta =
    deltaState === undefined
      ? undefined
      : withToken(
          {
            state: deltaState,
            metadata: deltaMetadata(deltaState, next.metadata.desired),
            version,
            timestamp: nowSeconds,
          },
          clientToken,
        );

  const documents = withToken(
    { previous: current ? snapshot(current) : null, current: snapshot(next), timestamp: nowSeconds },
    clientToken,
  );

  return { ok: true, outcome: { next, accepted, delta, documents } };
}

// ---------------------------------------------------------------------------------------------------------------
// Get and delete

/** `get/accepted`: desired, reported and (when non-empty) delta; metadata for desired and reported only. */
export function getAcceptedPayload(
  shadow: StoredShadow,
  clientToken: string | undefined,
  nowSeconds: number,
): GetAcceptedPayload {
  const { state, metadata } = snapshot(shadow);
  const delta = computeDelta(shadow.state.desired, shadow.state.reported);
  const fullState: GetAcceptedPayload['state'] = delta === undefined ? state : { ...state, delta };
  return withToken({ state: fullState, metadata, version: shadow.version, timestamp: nowSeconds }, clientToken);
}

/** `delete/accepted`: the version the shadow had; deleting does not bump it. */
export function deleteAcceptedPayload(
  shadow: StoredShadow,
  clientToken: string | undefined,
  nowSeconds: number,
): DeleteAcceptedPayload {
  return withToken({ version: shadow.version, timestamp: nowSeconds }, clientToken);
}

/**
 * The 404 of get and delete, without a timestamp as on AWS. The name is the thing name for the classic shadow and
 * the shadow name for a named shadow (as in AWS's own tutorial).
 */
/**
 * The answer to a request whose thing or shadow name breaks AWS's naming rules: 400, with the request's clientToken
 * when its payload carries a valid one.
 */
export function invalidNameError(
  invalid: 'thing name' | 'shadow name',
  payload: Uint8Array,
  nowSeconds: number,
): ShadowRejection {
  const token = parseTokenRequest(payload, nowSeconds);
  const template = invalid === 'thing name' ? ShadowErrors.invalidThingName : ShadowErrors.invalidShadowName;
  return rejection(template, token.ok ? token.clientToken : undefined, nowSeconds);
}

export function notFoundError(
  thingName: string,
  shadowName: string | undefined,
  clientToken?: string,
): ShadowRejection {
  return rejection(ShadowErrors.notFound(thingName, shadowName), clientToken);
}
