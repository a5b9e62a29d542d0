import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { Database } from '../storage/database.ts';

/**
 * Notices changes to identities made anywhere, this process or another (`fleetctl` on the same data dir): SQLite
 * triggers bump `identity_generation` on every change to certificates, policies and their attachments, and to the
 * thing fields policies read (kind, store, zone, hardware model: migration 9); every
 * `intervalMs` the watcher compares and announces `identity.changed`, and the broker re-decides every live
 * connection (closing those no longer allowed to connect, giving the rest their new policies).
 */
export class IdentityWatcher {
  private timer: TimerHandle | undefined;
  private generation = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus<FleetEvents>,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.generation = this.read();
    this.timer = this.clock.setInterval(() => this.check(), this.intervalMs);
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  check(): void {
    try {
      const current = this.read();
      if (current === this.generation) return;
      // Listeners run synchronously: the generation advances only once they have all run.
      this.bus.emit('identity.changed', { generation: current });
      this.generation = current;
    } catch (err) {
      this.log.error({ err }, 'identity check failed; will retry');
    }
  }

  private read(): number {
    return (this.db.prepare('SELECT value FROM identity_generation WHERE id = 1').get() as { value: number }).value;
  }
}
