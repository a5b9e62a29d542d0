import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { Database } from './database.ts';

export interface HistoryRetentionOptions {
  /** Resolved alerts older than this (by resolution time) are deleted. */
  alertsDays: number;
  /** Finished commands (succeeded, failed, timed-out, expired) older than this (by request time) are deleted. */
  commandsDays: number;
  sweepMs: number;
}

/** Rows deleted per statement: a sweep never holds the write lock (and the broker's thread) for long. */
const SLICE = 2000;
const DAY_MS = 86_400_000;

/**
 * Keeps the history tables that grow with operation from growing forever: resolved alerts and finished commands
 * past their retention. Open alerts and pending commands are never touched. The audit log is not swept: it is
 * append-only by design (its triggers refuse DELETE) and is archived with the database (docs/operations.md).
 */
export class HistoryRetention {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: HistoryRetentionOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.timer = this.clock.setInterval(() => this.sweep(), this.options.sweepMs);
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes what is past retention; returns how many rows of each table went. */
  sweep(): { alerts: number; commands: number } {
    const now = this.clock.now();
    const alerts = this.deleteInSlices(
      `DELETE FROM alerts WHERE id IN (
         SELECT id FROM alerts WHERE state = 'resolved' AND resolved_at < ? LIMIT ${SLICE})`,
      now - this.options.alertsDays * DAY_MS,
    );
    const commands = this.deleteInSlices(
      `DELETE FROM commands WHERE id IN (
         SELECT id FROM commands WHERE status NOT IN ('queued', 'sent') AND requested_at < ? LIMIT ${SLICE})`,
      now - this.options.commandsDays * DAY_MS,
    );
    if (alerts + commands > 0) this.log.info({ alerts, commands }, 'history retention swept');
    return { alerts, commands };
  }

  private deleteInSlices(sql: string, before: number): number {
    const statement = this.db.prepare(sql);
    let total = 0;
    for (;;) {
      const { changes } = statement.run(before);
      total += changes;
      if (changes < SLICE) return total;
    }
  }
}
