/** The operations API's shapes, as docs/api.md defines them. */

export type Role = 'hq-admin' | 'store-manager' | 'technician' | 'viewer';
export type DeviceKind = 'cart' | 'speaker';
export type PresenceState = 'online' | 'offline' | 'never';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  storeIds: string[];
  regions: string[];
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface Me {
  user: User;
  csrf: string;
  permissions: string[];
  storeIds: string[] | null;
}

export interface ApiToken {
  id: string;
  name: string;
  token?: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt?: number | null;
}

export interface Zone {
  id: string;
  name: string;
  kind: string;
  polygon: [number, number][];
}

export interface Store {
  id: string;
  chainId: string;
  name: string;
  region: string;
  timeZone: string;
  address?: { street?: string; city?: string; postcode?: string; country?: string };
  zones: Zone[];
}

export interface Presence {
  state: PresenceState;
  since: number | null;
  disconnectReason: string | null;
}

export interface DeviceSummary {
  thingName: string;
  kind: DeviceKind;
  hardwareModel: string;
  storeId: string | null;
  zoneId: string | null;
  tags: string[];
  softwareVersion: string | null;
  presence: Presence;
  battery: number | null;
  charging: boolean | null;
  temperature: number | null;
  zone: string | null;
  lastSeen: number | null;
  openAlerts: number;
  provisioning: 'active' | 'pending-approval';
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Shadow {
  desired: JsonObject | null;
  reported: JsonObject | null;
  delta: JsonObject | null;
  version: number;
  metadata?: unknown;
  timestamp?: number;
}

export interface Certificate {
  certificateId: string;
  status: string;
  notBefore: number | string;
  notAfter: number | string;
  createdAt: number;
  revokedAt: number | null;
}

export interface DeviceDetail extends DeviceSummary {
  latest: Record<string, { ts: number; metrics: Record<string, Json> } | undefined>;
  shadow: Shadow | null;
  namedShadows: Record<string, Shadow>;
  certificates: Certificate[];
}

export interface Page<T> {
  items: T[];
  total: number;
  limit?: number;
  offset?: number;
}

export interface TelemetryMessage {
  stream: string;
  msgId: string;
  ts: number;
  receivedAt: number;
  metrics: Record<string, Json>;
}

export interface Series {
  metric: string;
  from: number;
  to: number;
  bucketMs: number;
  points: [number, number | null, number | null, number | null][];
}

export type CommandName = 'reboot' | 'locate' | 'diagnostics' | 'logs';
export type CommandStatus = 'queued' | 'sent' | 'succeeded' | 'failed' | 'timed-out' | 'expired';

export interface Command {
  id: string;
  thingName: string;
  storeId: string | null;
  name: CommandName;
  params: JsonObject;
  status: CommandStatus;
  requestedBy: string | { id: string; username: string } | null;
  requestedAt: number;
  sentAt: number | null;
  completedAt: number | null;
  expiresAt: number | null;
  result: Json;
  error: { code: string; message: string } | null;
}

export type AlertState = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  id: number;
  thingName: string;
  storeId: string | null;
  deviceKind: DeviceKind;
  cause: string;
  severity: 'warning' | 'critical';
  state: AlertState;
  message: string;
  value: Json;
  openedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | { id: string; username: string } | null;
  resolvedAt: number | null;
  resolvedBy: string | { id: string; username: string } | null;
  note: string | null;
}

export type AlertCause = 'battery-low' | 'offline' | 'temperature-high' | 'fault';
export type AlertSeverity = 'warning' | 'critical';

/** One alert rule (`GET/PUT /api/alert-rules`; the schema is fleet/alerts/alert-rules.ts). */
export interface AlertRule {
  id: string;
  cause: AlertCause;
  deviceKind: DeviceKind | null;
  storeId: string | null;
  severity: AlertSeverity;
  threshold: number | null;
  clearThreshold: number | null;
  forSeconds: number;
  enabled: boolean;
}

export interface AuditEntry {
  id: string | number;
  at: number;
  actor: { id: string; username: string } | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  storeId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Json;
}

export interface PresenceCounts {
  online: number;
  offline: number;
  neverConnected: number;
}

export interface Overview {
  devices: PresenceCounts & {
    total: number;
    byKind: Record<DeviceKind, PresenceCounts>;
    byStore: (PresenceCounts & { storeId: string | null; name: string })[];
  };
  alerts: { open: number; acknowledged: number; critical: number };
  attention: DeviceSummary[];
}

/** socket.io events, server → client. */
export interface LiveEvents {
  presence: { thingName: string; storeId: string | null; state: PresenceState; at: number; reason: string | null };
  telemetry: { thingName: string; storeId: string | null; stream: string; ts: number; metrics: Record<string, Json> };
  shadow: {
    thingName: string;
    storeId: string | null;
    shadowName: string | null;
    version: number;
    state: { desired: JsonObject | null; reported: JsonObject | null; delta: JsonObject | null };
  };
  alert: Alert;
  command: Command;
  device: DeviceSummary;
}
