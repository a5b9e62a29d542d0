import type { EventBus } from '../../platform/event-bus.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { Database } from '../storage/database.ts';

/**
 * Revocations made outside this process (`fleetctl certificates revoke` on the same data dir) take effect on live
 * connections too: every `intervalMs` the watcher looks for certificates revoked since its last look and announces
 * them, and the broker closes their connections. New connections are refused at once either way (the broker checks
 * the database on every CONNECT).
 */
export class RevocationWatcher {
  private timer: NodeJS.Timeout | undefined;
  private watermark = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus<FleetEvents>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.watermark = Date.now();
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  check(): void {
    const rows = this.db
      .prepare("SELECT certificate_id, revoked_at FROM certificates WHERE status = 'REVOKED' AND revoked_at >= ?")
      .all(this.watermark) as { certificate_id: string; revoked_at: number }[];
    for (const row of rows) {
      this.watermark = Math.max(this.watermark, row.revoked_at + 1);
      this.bus.emit('certificate.revoked', { certificateId: row.certificate_id });
    }
  }
}
