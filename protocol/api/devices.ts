import { PROVISIONING_STATES } from '../provisioning.ts';
import { HARDWARE_MODEL_PATTERN } from '../thing-names.ts';
import { DATA_STREAMS } from '../topics.ts';
import { epochMs, type FromSchema, integer, nullable, nullableEpochMs, object, oneOfValues } from './json-schema.ts';
import { ID_PATTERN, idString, paging, shadowNameString, thingNameString } from './parameters.ts';

export const DEVICE_KINDS = ['cart', 'speaker'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Presence as the API shows it: `never` for a device that has not connected yet. */
export const DEVICE_PRESENCE_STATES = ['online', 'offline', 'never'] as const;
export type DevicePresenceState = (typeof DEVICE_PRESENCE_STATES)[number];

export const DEVICE_SORTS = ['thingName', 'kind', 'storeId', 'battery', 'lastSeen', 'softwareVersion'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

/** A JSON object whose keys the API does not restrict (shadow documents, command params and results). */
export const jsonObject = { type: 'object', additionalProperties: true } as const;
/** A metric's value as a device reported it (`MetricValue` of protocol/telemetry.ts). */
export const metricValue = { type: ['number', 'string', 'boolean', 'null'] } as const;
export const metrics = { type: 'object', additionalProperties: metricValue } as const;

const presence = object({
  state: oneOfValues(DEVICE_PRESENCE_STATES),
  /** When it connected (online) or disconnected (offline); `null` for `never`. */
  since: nullableEpochMs,
  /** AWS IoT's disconnect reason (`CLIENT_INITIATED_DISCONNECT`, `MQTT_KEEP_ALIVE_TIMEOUT`...), offline only. */
  disconnectReason: { type: ['string', 'null'] },
});

const summaryProperties = {
  thingName: { type: 'string' },
  kind: oneOfValues(DEVICE_KINDS),
  hardwareModel: { type: 'string' },
  storeId: { type: ['string', 'null'] },
  /** The zone it is registered to (a speaker's place, a cart's dock). */
  zoneId: { type: ['string', 'null'] },
  tags: { type: 'array', items: { type: 'string' } },
  softwareVersion: { type: ['string', 'null'] },
  presence,
  /** `battery.percent` of the latest telemetry or health message. */
  battery: { type: ['number', 'null'] },
  charging: { type: ['boolean', 'null'] },
  /** `temperature.c`, °C. */
  temperature: { type: ['number', 'null'] },
  /** The zone a cart last reported being in. */
  zone: { type: ['string', 'null'] },
  lastSeen: nullableEpochMs,
  openAlerts: integer({ minimum: 0 }),
  /** `pending-approval`: provisioned by claim, waiting for a technician. */
  provisioning: oneOfValues(PROVISIONING_STATES),
} as const;

/** A device as the lists show it (`GET /api/devices`, the `device` live event). */
export const DeviceSummarySchema = object(summaryProperties);
export type DeviceSummary = FromSchema<typeof DeviceSummarySchema>;

/** A shadow's state as the API shows it (AWS's `metadata` included as stored). */
export const ShadowSchema = object({
  desired: nullable(jsonObject),
  reported: nullable(jsonObject),
  /** desired minus reported; `null` when they agree. */
  delta: nullable(jsonObject),
  version: integer({ minimum: 0 }),
  metadata: nullable(jsonObject),
});
export type Shadow = FromSchema<typeof ShadowSchema>;

export const CERTIFICATE_STATUSES = ['ACTIVE', 'INACTIVE', 'REVOKED'] as const;

/** A device certificate (never its PEM or key). */
export const CertificateSchema = object({
  /** SHA-256 of the DER certificate, hex (AWS IoT's certificate id). */
  certificateId: { type: 'string' },
  serialNumber: { type: 'string' },
  subjectCn: { type: 'string' },
  status: oneOfValues(CERTIFICATE_STATUSES),
  notBefore: epochMs,
  notAfter: epochMs,
  createdAt: epochMs,
  revokedAt: nullableEpochMs,
  revokeReason: { type: ['string', 'null'] },
});
export type Certificate = FromSchema<typeof CertificateSchema>;

/** The latest message of one stream, kept in memory by the fleet. */
const latestValues = object({ ts: epochMs, metrics });
const latest = object(
  Object.fromEntries(DATA_STREAMS.map((stream) => [stream, latestValues])) as Record<
    (typeof DATA_STREAMS)[number],
    typeof latestValues
  >,
  { optional: DATA_STREAMS },
);

/** `GET /api/devices/:thingName` */
export const DeviceDetailSchema = object({
  ...summaryProperties,
  createdAt: epochMs,
  updatedAt: epochMs,
  /** The latest message per stream (`telemetry`, `health`, `events`, `status`) since the fleet started. */
  latest,
  /** The classic shadow; `null` until the device or an operator writes one. */
  shadow: nullable({ ...ShadowSchema }),
  namedShadows: { type: 'object', additionalProperties: ShadowSchema },
  certificates: { type: 'array', items: CertificateSchema },
});
export type DeviceDetail = FromSchema<typeof DeviceDetailSchema>;

/** `GET /api/devices`: filters, sort and page. */
export const DeviceListQuery = object(
  {
    kind: oneOfValues(DEVICE_KINDS),
    storeId: idString,
    /** The registered zone, or the zone a cart reports being in now. */
    zoneId: idString,
    presence: oneOfValues(DEVICE_PRESENCE_STATES),
    batteryBelow: { type: 'number', minimum: 0, maximum: 100 },
    batteryAbove: { type: 'number', minimum: 0, maximum: 100 },
    softwareVersion: { type: 'string', maxLength: 64 },
    tag: { type: 'string', maxLength: 64 },
    /** A prefix of the thing name (case-insensitive). */
    q: { type: 'string', maxLength: 128 },
    sort: oneOfValues(DEVICE_SORTS, { default: 'thingName' }),
    order: oneOfValues(['asc', 'desc'] as const, { default: 'asc' }),
    ...paging,
  },
  {
    optional: [
      'kind',
      'storeId',
      'zoneId',
      'presence',
      'batteryBelow',
      'batteryAbove',
      'softwareVersion',
      'tag',
      'q',
      'sort',
      'order',
      'limit',
      'offset',
    ],
  },
);
export type DeviceListQuery = FromSchema<typeof DeviceListQuery, 'checked'>;

export const DevicePageSchema = object({
  items: { type: 'array', items: DeviceSummarySchema },
  total: integer({ minimum: 0 }),
  limit: integer({ minimum: 1 }),
  offset: integer({ minimum: 0 }),
});
export type DevicePage = FromSchema<typeof DevicePageSchema>;

const tags = { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

/** `POST /api/devices` (technician, hq-admin) */
export const NewDeviceBody = object(
  {
    thingName: thingNameString,
    kind: oneOfValues(DEVICE_KINDS),
    hardwareModel: { type: 'string', pattern: HARDWARE_MODEL_PATTERN.source },
    storeId: idString,
    zoneId: idString,
    tags,
  },
  { optional: ['zoneId', 'tags'] },
);
export type NewDeviceBody = FromSchema<typeof NewDeviceBody>;

/** What a registration answers: the device and its certificate bundle (the private key is not stored anywhere). */
export const RegisteredDeviceSchema = object({
  device: DeviceSummarySchema,
  bundle: object({
    certificatePem: { type: 'string' },
    privateKeyPem: { type: 'string' },
    caPem: { type: 'string', description: 'the fleet CA, to verify the server' },
  }),
});
export type RegisteredDevice = FromSchema<typeof RegisteredDeviceSchema>;

/** `PATCH /api/devices/:thingName`: move it, or change its tags. */
export const DeviceChangesBody = {
  ...object(
    { storeId: idString, zoneId: { type: ['string', 'null'], pattern: ID_PATTERN }, tags },
    { optional: ['storeId', 'zoneId', 'tags'] },
  ),
  minProperties: 1,
};
export type DeviceChangesBody = FromSchema<typeof DeviceChangesBody>;

/** `POST /api/devices/:thingName/revoke` */
export const RevokeBody = object({ reason: { type: 'string', minLength: 1, maxLength: 200 } });
export type RevokeBody = FromSchema<typeof RevokeBody>;

/** `?name=` of the shadow routes: a named shadow; absent for the classic one. */
export const ShadowQuery = object({ name: shadowNameString }, { optional: ['name'] });
export type ShadowQuery = FromSchema<typeof ShadowQuery>;

/** `PATCH /api/devices/:thingName/shadow`: keys per kind in protocol/desired-state.ts; `null` deletes a key. */
export const DesiredStateBody = object(
  {
    desired: { type: 'object', maxProperties: 32, additionalProperties: true },
    /** Refused with 409 SHADOW_VERSION_CONFLICT if any write (the device's reports too) came since. */
    version: integer({ minimum: 1 }),
  },
  { optional: ['version'] },
);
export type DesiredStateBody = FromSchema<typeof DesiredStateBody>;
