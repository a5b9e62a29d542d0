import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { PresenceRecord, PresenceRepository } from './presence-repository.ts';

interface Pending {
  timer: TimerHandle;
  reason: string;
  at: number;
}

/**
 * Online/offline for every client, from the broker's connect and disconnect (which covers DISCONNECT, keep-alive
 * timeouts, lost connections and last wills alike). AWS's lifecycle events go out at once, from
 * `LifecycleEventPublisher`.
 *
 * - The stored state and `presence.changed` are debounced: a disconnect becomes "offline" only when the client has
 *   not come back within `offlineGraceMs`, so a quick reconnect does not flap (AWS's own advice to consumers).
 * - The state is held in memory (loaded at start) and written through the `DatabaseWriter`: it is read on every
 *   device summary and decided on every connect, and neither may wait for a database another process has locked.
 */
export class PresenceService {
  private readonly records = new Map<string, PresenceRecord>();
  private readonly pendingOffline = new Map<string, Pending>();
  private offs: (() => void)[] = [];

  constructor(
    private readonly repository: PresenceRepository,
    private readonly writer: DatabaseWriter,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: { offlineGraceMs: number },
    private readonly clock: Clock,
  ) {}

  start(): void {
    const now = this.clock.now();
    this.records.clear();
    for (const record of this.repository.list()) {
      this.records.set(
        record.clientId,
        record.state === 'online'
          ? {
              ...record,
              state: 'offline',
              disconnectedAt: now,
              disconnectReason: 'SERVER_INITIATED_DISCONNECT',
              updatedAt: now,
            }
          : record,
      );
    }
    this.writer.submit('presence: all offline', () => this.repository.markAllOffline(now));
    this.offs = [
      this.bus.on('broker.clientConnected', (e) => this.onConnected(e)),
      this.bus.on('broker.clientDisconnected', (e) => this.onDisconnected(e)),
    ];
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    // Settle pending disconnects now rather than dropping them.
    for (const [clientId, pending] of this.pendingOffline) {
      this.clock.clearTimeout(pending.timer);
      this.goOffline(clientId, pending.reason, pending.at);
    }
    this.pendingOffline.clear();
  }

  get(clientId: string): PresenceRecord | undefined {
    const record = this.records.get(clientId);
    return record && { ...record };
  }

  /** Every client id that ever connected, by client id. */
  list(): PresenceRecord[] {
    return [...this.records.values()]
      .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0))
      .map((r) => ({ ...r }));
  }

  private onConnected(e: FleetEvents['broker.clientConnected']): void {
    const pending = this.pendingOffline.get(e.clientId);
    if (pending) {
      this.clock.clearTimeout(pending.timer);
      this.pendingOffline.delete(e.clientId);
    }
    const previous = this.records.get(e.clientId);
    const wasOnline = previous?.state === 'online';
    this.records.set(e.clientId, {
      clientId: e.clientId,
      state: 'online',
      sessionId: e.sessionId,
      ipAddress: e.ipAddress,
      connectedAt: e.at,
      disconnectedAt: previous?.disconnectedAt ?? null,
      disconnectReason: previous?.disconnectReason ?? null,
      updatedAt: e.at,
    });
    this.writer.submit('presence: online', () =>
      this.repository.markOnline(e.clientId, e.sessionId, e.ipAddress, e.at),
    );
    if (!wasOnline)
      this.bus.emit('presence.changed', { clientId: e.clientId, state: 'online', at: e.at, reason: null });
  }

  private onDisconnected(e: FleetEvents['broker.clientDisconnected']): void {
    // A newer connection of the same client (DUPLICATE_CLIENTID) keeps it online.
    if (this.records.get(e.clientId)?.sessionId !== e.sessionId) return;
    const existing = this.pendingOffline.get(e.clientId);
    if (existing) this.clock.clearTimeout(existing.timer);
    if (this.options.offlineGraceMs === 0) {
      this.goOffline(e.clientId, e.reason, e.at);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.pendingOffline.delete(e.clientId);
      this.goOffline(e.clientId, e.reason, e.at);
    }, this.options.offlineGraceMs);
    this.pendingOffline.set(e.clientId, { timer, reason: e.reason, at: e.at });
  }

  private goOffline(clientId: string, reason: string, at: number): void {
    const record = this.records.get(clientId);
    if (record) {
      this.records.set(clientId, {
        ...record,
        state: 'offline',
        disconnectedAt: at,
        disconnectReason: reason,
        updatedAt: at,
      });
    }
    this.writer.submit('presence: offline', () => this.repository.markOffline(clientId, reason, at));
    this.bus.emit('presence.changed', { clientId, state: 'offline', at, reason });
  }
}
