/**
 * AWS IoT Fleet Provisioning over MQTT (provisioning by claim): topics, payloads and error answers, as AWS documents
 * them ("Device provisioning MQTT API"). Re-exported by topics.ts, the one place topics are built and parsed.
 *
 * - CreateKeysAndCertificate: `$aws/certificates/create/{format}`
 * - CreateCertificateFromCsr: `$aws/certificates/create-from-csr/{format}`
 * - RegisterThing: `$aws/provisioning-templates/{templateName}/provision/{format}`
 *
 * Each answers on `{request}/accepted` or `{request}/rejected`, on the connection that asked only. AWS serves `json`
 * and `cbor`; this fleet serves `json` and answers a `cbor` request with a rejection (a JSON body, `UnsupportedFormat`).
 */

export const PROVISIONING_FORMATS = ['json', 'cbor'] as const;
export type ProvisioningFormat = (typeof PROVISIONING_FORMATS)[number];
export type ProvisioningOperation = 'CreateKeysAndCertificate' | 'CreateCertificateFromCsr' | 'RegisterThing';
export type ProvisioningResponse = 'accepted' | 'rejected';

/** AWS: template names are 1-36 characters of `[0-9A-Za-z_-]`. */
export const TEMPLATE_NAME_PATTERN = /^[0-9A-Za-z_-]{1,36}$/;

export interface ProvisioningTopic {
  operation: ProvisioningOperation;
  /** Only for RegisterThing. */
  templateName: string | undefined;
  format: ProvisioningFormat;
  /** `undefined` for a request. */
  response: ProvisioningResponse | undefined;
}

function withResponse(base: string, response?: ProvisioningResponse): string {
  return response === undefined ? base : `${base}/${response}`;
}

export const provisioningTopics = {
  createKeysAndCertificate(format: ProvisioningFormat = 'json', response?: ProvisioningResponse): string {
    return withResponse(`$aws/certificates/create/${format}`, response);
  },
  createCertificateFromCsr(format: ProvisioningFormat = 'json', response?: ProvisioningResponse): string {
    return withResponse(`$aws/certificates/create-from-csr/${format}`, response);
  },
  registerThing(templateName: string, format: ProvisioningFormat = 'json', response?: ProvisioningResponse): string {
    return withResponse(`$aws/provisioning-templates/${templateName}/provision/${format}`, response);
  },
  /** The answer topic for a parsed request topic. */
  responseTo(request: ProvisioningTopic, response: ProvisioningResponse): string {
    switch (request.operation) {
      case 'CreateKeysAndCertificate':
        return provisioningTopics.createKeysAndCertificate(request.format, response);
      case 'CreateCertificateFromCsr':
        return provisioningTopics.createCertificateFromCsr(request.format, response);
      case 'RegisterThing':
        return provisioningTopics.registerThing(request.templateName ?? '', request.format, response);
    }
  },
  /**
   * Policy resources (topic names without the ARN prefix) a claim certificate needs for one template: AWS's claim
   * policy example, `.../*` matching every format and both answers.
   */
  claimResources(templateName: string): string[] {
    return [
      '$aws/certificates/create/*',
      '$aws/certificates/create-from-csr/*',
      `$aws/provisioning-templates/${templateName}/provision/*`,
    ];
  },
};

/** Parses a fleet provisioning topic (request or answer); `undefined` if it is not one. */
export function parseProvisioningTopic(topic: string): ProvisioningTopic | undefined {
  // The broker asks this of every delivery: any other topic is refused without a split.
  if (!topic.startsWith('$aws/certificates/') && !topic.startsWith('$aws/provisioning-templates/')) return undefined;
  const parts = topic.split('/');
  let operation: ProvisioningOperation;
  let templateName: string | undefined;
  let rest: string[];
  if (parts[1] === 'certificates' && (parts[2] === 'create' || parts[2] === 'create-from-csr')) {
    operation = parts[2] === 'create' ? 'CreateKeysAndCertificate' : 'CreateCertificateFromCsr';
    rest = parts.slice(3);
  } else if (parts[1] === 'provisioning-templates' && parts[3] === 'provision') {
    templateName = parts[2] ?? '';
    if (!TEMPLATE_NAME_PATTERN.test(templateName)) return undefined;
    operation = 'RegisterThing';
    rest = parts.slice(4);
  } else {
    return undefined;
  }
  const [format, response, ...extra] = rest;
  if (extra.length > 0 || !PROVISIONING_FORMATS.includes(format as ProvisioningFormat)) return undefined;
  if (response !== undefined && response !== 'accepted' && response !== 'rejected') return undefined;
  return { operation, templateName, format: format as ProvisioningFormat, response };
}

/** A request a client may publish: a well-formed provisioning topic that is not an answer. */
export function isProvisioningRequestTopic(topic: string): boolean {
  const parsed = parseProvisioningTopic(topic);
  return parsed !== undefined && parsed.response === undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Payloads (field names as AWS's, which aws-iot-device-sdk-v2's iotidentity model also uses)

/** CreateKeysAndCertificate takes an empty object. */
export type CreateKeysAndCertificateRequest = Record<string, never>;

export interface CreateKeysAndCertificateResponse {
  certificateId: string;
  certificatePem: string;
  privateKey: string;
  certificateOwnershipToken: string;
}

export interface CreateCertificateFromCsrRequest {
  /** PEM, PKCS #10. */
  certificateSigningRequest: string;
}

export interface CreateCertificateFromCsrResponse {
  certificateId: string;
  certificatePem: string;
  certificateOwnershipToken: string;
}

export interface RegisterThingRequest {
  certificateOwnershipToken: string;
  parameters?: Record<string, string>;
}

export interface RegisterThingResponse {
  thingName: string;
  deviceConfiguration: Record<string, string>;
}

/** What every `.../rejected` carries. */
export interface ProvisioningErrorResponse {
  statusCode: number;
  errorCode: string;
  errorMessage: string;
}

/**
 * `errorCode`s of the rejection documents. `InvalidCertificateOwnershipToken` and the 400 for it are AWS's own; the
 * others follow AWS's exception names.
 */
export const ProvisioningErrorCodes = {
  InvalidPayload: 400,
  UnsupportedFormat: 400,
  InvalidCertificateSigningRequest: 400,
  InvalidCertificateOwnershipToken: 400,
  InvalidParameters: 400,
  ResourceNotFound: 404,
  TemplateDisabled: 403,
  ResourceConflict: 409,
  /** AWS IoT's `ThrottlingException` ("The rate exceeds the limit"), named without the suffix like the others. */
  Throttling: 429,
  InternalFailure: 500,
} as const;
export type ProvisioningErrorCode = keyof typeof ProvisioningErrorCodes;

export function provisioningError(errorCode: ProvisioningErrorCode, errorMessage: string): ProvisioningErrorResponse {
  return { statusCode: ProvisioningErrorCodes[errorCode], errorCode, errorMessage };
}

/**
 * Claim connections use client ids `provision-...`: the only ones a claim policy lets connect, so a claim certificate
 * cannot take over a device's client id.
 */
export const CLAIM_CLIENT_ID_PREFIX = 'provision-';

/** The `SerialNumber` parameter, which a claim connection also carries in its client id `provision-{serial}`. */
export const SERIAL_NUMBER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The template parameters this fleet knows; a template allows a subset of them. */
export const PROVISIONING_PARAMETERS = ['SerialNumber', 'StoreId', 'DeviceKind', 'HardwareModel'] as const;
export type ProvisioningParameter = (typeof PROVISIONING_PARAMETERS)[number];

/** A thing's provisioning state: `pending-approval` may connect and nothing else until a technician approves it. */
export const PROVISIONING_STATES = ['active', 'pending-approval'] as const;
export type ProvisioningState = (typeof PROVISIONING_STATES)[number];
