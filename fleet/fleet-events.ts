import type { Command } from '../protocol/api/commands.ts';
import type { Rollout, RolloutDevice } from '../protocol/api/rollouts.ts';
import type { VisionLiveEvent } from '../protocol/api/vision.ts';
import type { AttendantRequest } from '../protocol/commerce/attendant.ts';
import type { Order, OrderState } from '../protocol/commerce/orders.ts';
import type { CartScreenEvent } from '../protocol/commerce/screen-mirror.ts';
import type { MetricValue } from '../protocol/telemetry.ts';
import type { DataStream } from '../protocol/topics.ts';
import type { Alert } from './alerts/alert-repository.ts';
import type { PresenceState } from './presence/presence-repository.ts';

/** Everything the fleet's subsystems tell each other, by name. */
export interface FleetEvents {
  /** A client completed CONNECT (authenticated and authorized). */
  'broker.clientConnected': {
    clientId: string;
    sessionId: string;
    certificateId: string | null;
    ipAddress: string | null;
    at: number;
  };
  /** A CONNECT was refused (unknown or revoked certificate, or iot:Connect denied). */
  'broker.connectFailed': { clientId: string; certificateId: string | null; ipAddress: string | null; at: number };
  /** A connection ended; `reason` is AWS's disconnectReason. */
  'broker.clientDisconnected': {
    clientId: string;
    sessionId: string;
    certificateId: string | null;
    reason: string;
    at: number;
  };
  /** Debounced presence: a device came online, or stayed away past the grace period. */
  'presence.changed': { clientId: string; state: PresenceState; at: number; reason: string | null };
  /** A data message passed validation (before it is persisted). */
  'telemetry.received': {
    thingName: string;
    stream: DataStream;
    msgId: string;
    /** The device's timestamp, as sent. */
    ts: number;
    /**
     * `ts`, but never later than the fleet's receive time: what decides which of two readings is newer
     * (fleet/telemetry/trusted-time.ts).
     */
    observedAt: number;
    metrics: Record<string, MetricValue>;
  };
  'shadow.updated': { thingName: string; shadowName: string | undefined; version: number; documents: object };
  'shadow.deleted': { thingName: string; shadowName: string | undefined; version: number };
  'certificate.revoked': { certificateId: string };
  /** Certificates, policies or attachments changed (here or in another process): live connections are re-decided. */
  'identity.changed': { generation: number };
  'thing.registered': { thingName: string };
  /**
   * A client's subscriptions took effect: `filters` granted by a SUBSCRIBE (`via: 'subscribe'`, refused filters left
   * out), or restored with its persistent session at CONNECT (`via: 'session'`).
   */
  'broker.subscribed': {
    clientId: string;
    sessionId: string;
    certificateId: string | null;
    filters: string[];
    via: 'subscribe' | 'session';
    at: number;
  };
  /** A client's UNSUBSCRIBE ended subscriptions: `filters` are those that were in effect. */
  'broker.unsubscribed': {
    clientId: string;
    sessionId: string;
    certificateId: string | null;
    filters: string[];
    at: number;
  };
  /**
   * A client's PUBLISH was refused and its connection is being closed (`reason` is AWS's disconnectReason: AUTH_ERROR
   * for a policy or reserved topic, CLIENT_ERROR for an oversized payload; `cause` says which rule).
   */
  'broker.publishRefused': {
    clientId: string;
    sessionId: string;
    certificateId: string | null;
    topic: string;
    qos: number;
    reason: string;
    cause: string;
    at: number;
  };
  /** A remote command was created or changed status (queued, sent, succeeded, failed, timed-out, expired). */
  'command.updated': { command: Command };
  /** A device provisioned itself by claim (RegisterThing accepted); `pendingApproval`: it may only connect for now. */
  'thing.provisioned': { thingName: string; templateName: string; pendingApproval: boolean };
  /** A technician approved a thing that was pending approval: its template's policy now applies. */
  'thing.approved': { thingName: string; by: string };
  /** A person's account changed (role, scope, disabled, password): their live sockets are re-authorized. */
  'user.changed': { userId: string };
  /**
   * A browser session was ended on purpose (logout, password change or reset, user disabled): the live sockets opened
   * with it close at once. `sessionDigest` is the SHA-256 digest the database keeps, never the secret.
   */
  'session.ended': { userId: string; sessionDigest: string };
  /** A thing's registry entry changed (store, zone, tags) or its certificates were revoked. */
  'thing.changed': { thingName: string };
  /**
   * Catalog inputs of pricing changed (products, categories, store prices, promotions, label layouts): the pricing
   * snapshots of `storeIds` (null: every store) are rebuilt, debounced. Emitted by fleet/catalog/ and
   * fleet/promotions/ once per committed write or import (never for a dry run or a refused write); `what` says
   * which input.
   */
  'catalog.changed': {
    storeIds: string[] | null;
    what?: 'products' | 'categories' | 'store-prices' | 'layouts' | 'promotions';
  };
  /**
   * The loyalty program's pricing inputs changed (tiers, earn rules, redemption policy; `LoyaltySettings`): the
   * pricing snapshots that carry them are rebuilt. `storeIds` as in `catalog.changed` (null: every store; the
   * program is chain-wide).
   */
  'loyalty.changed': { storeIds: string[] | null };
  /**
   * Who may approve at a cart offline changed (a staff code made; a person with a code changed role, stores or was
   * disabled): the pricing snapshots of `storeIds` (null: every store), which carry the offline verifiers, are
   * rebuilt. Emitted by fleet/attendants/staff-codes.ts.
   */
  'staff.changed': { storeIds: string[] | null };
  /** An alert was opened, changed severity or value, was acknowledged, or was resolved (by a person or the fleet). */
  'alert.changed': { alert: Alert };
  /** An order was created or moved (submitted, paid, cancelled, expired, refunded, exit-verified). */
  'order.changed': { order: Order; previous: OrderState | null };
  /** A cart called an attendant, or the call was resolved or cancelled. */
  'attendant.changed': { request: AttendantRequest };
  /** A store's recognition records arrived or its gallery changed (throttled: fleet/vision/vision-changes.ts). */
  'vision.changed': VisionLiveEvent;
  /**
   * What a store's speakers play may have changed (a programme, campaign, holiday, opt decision, slot override, volume
   * schedule or gap): delivery compiles the manifests of the speakers of `storeIds` again (null: of every store),
   * debounced. Emitted by fleet/broadcast/schedule/ once per committed write.
   */
  'broadcast.schedule.changed': { storeIds: string[] | null };
  /** A cart mirrored its screen (fleet/commerce-gateway/screen-relay.ts); the live gateway passes it to its watchers. */
  'cart.screen': CartScreenEvent;
  /**
   * An OTA rollout was created or changed state, phase or counts (fleet/ota/rollouts/), at most once a second per
   * rollout while its devices report; the live gateway sends it to the stores it touches.
   */
  'rollout.changed': { rollout: Rollout };
  /** One device of a rollout changed (status, step, progress, reason), coalesced to once a second per device. */
  'rollout.device': { rolloutId: string; device: RolloutDevice };
}
