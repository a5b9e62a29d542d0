/**
 * The AWS IoT Device Shadow wire format: request and response documents, error codes and limits, as AWS documents
 * them. The fleet's ShadowService implements it; devices use AWS's own SDK client to speak it.
 */

/** A JSON object inside a shadow state section. */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** AWS: "The maximum size of a JSON state document is 8 KB" (desired + reported, metadata excluded). */
export const SHADOW_MAX_STATE_BYTES = 8 * 1024;
/**
 * AWS: "JSON contains too many levels of nesting; maximum is 6". Counted as AWS's Greengrass ShadowManager does:
 * every object or array is a level and `state` is level 1, so desired/reported hold 4 further levels.
 */
export const SHADOW_MAX_DEPTH = 6;
/** AWS: a clientToken is at most 64 bytes. */
export const SHADOW_MAX_CLIENT_TOKEN_BYTES = 64;
/** AWS IoT Core's largest MQTT payload. */
export const MQTT_MAX_PAYLOAD_BYTES = 128 * 1024;

export interface ShadowState {
  desired?: JsonObject | null;
  reported?: JsonObject | null;
}

export interface ShadowUpdateRequest {
  state: ShadowState;
  clientToken?: string;
  version?: number;
}

/** Metadata mirrors the state: every leaf becomes `{ timestamp }` (seconds since the epoch). */
export type ShadowMetadata = { [key: string]: ShadowMetadataValue };
export type ShadowMetadataValue = { timestamp: number } | ShadowMetadata | ShadowMetadataValue[];

/** AWS's rejection document on `.../rejected`. */
export interface ShadowErrorResponse {
  code: number;
  message: string;
  timestamp: number;
  clientToken?: string;
}

/** The error codes and messages of AWS's Device Shadow service. */
export const ShadowErrors = {
  invalidJson: { code: 400, message: 'Invalid JSON' },
  missingState: { code: 400, message: 'Missing required node: state' },
  stateNotObject: { code: 400, message: 'State node must be an object' },
  desiredNotObject: { code: 400, message: 'Desired node must be an object' },
  reportedNotObject: { code: 400, message: 'Reported node must be an object' },
  invalidVersion: { code: 400, message: 'Invalid version' },
  invalidClientToken: { code: 400, message: 'Invalid clientToken' },
  tooDeep: { code: 400, message: `JSON contains too many levels of nesting; maximum is ${SHADOW_MAX_DEPTH}` },
  invalidStateNode: { code: 400, message: 'State contains an invalid node' },
  /**
   * Not in AWS's list of shadow error messages, which has none for a name that breaks the naming rules; AWS's HTTP
   * shadow API answers such a name with 400 (InvalidRequestException), so the MQTT answer is a 400 too.
   */
  invalidThingName: { code: 400, message: 'Invalid thing name' },
  invalidShadowName: { code: 400, message: 'Invalid shadow name' },
  unauthorized: { code: 401, message: 'Unauthorized' },
  forbidden: { code: 403, message: 'Forbidden' },
  /** The classic shadow names the thing; a named shadow names only the shadow (AWS's tutorial output). */
  notFound: (thingName: string, shadowName?: string) => ({
    code: 404,
    message:
      shadowName === undefined
        ? `No shadow exists with name: '${thingName}'`
        : `No shadow exists with name: '${shadowName}'`,
  }),
  versionConflict: { code: 409, message: 'Version conflict' },
  payloadTooLarge: { code: 413, message: 'The payload exceeds the maximum size allowed' },
  unsupportedEncoding: { code: 415, message: 'Unsupported documented encoding; supported encoding is UTF-8' },
  tooManyRequests: {
    code: 429,
    message:
      'The Device Shadow service will generate this error message when there are more than 10 in-flight requests on a single connection',
  },
  internal: { code: 500, message: 'Internal service failure' },
} as const;
