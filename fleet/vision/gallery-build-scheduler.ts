import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { GalleryBuilds } from './gallery-builds.ts';

/**
 * The automatic gallery build after an enrolment change (issue 11 item 4), debounced per store: a store manager
 * adding five photos in a row makes one version, `debounceMs` after the last. At start, stores whose enrolment
 * changed after their latest version (the fleet stopped before the build ran) are scheduled again. A build that
 * fails (no model, no signing key) is logged; the next change schedules another.
 */
export class GalleryBuildScheduler {
  private readonly timers = new Map<string, { timer: TimerHandle; at: number }>();
  private running = false;

  constructor(
    private readonly builds: GalleryBuilds,
    private readonly pendingStores: () => string[],
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly debounceMs: number,
  ) {}

  start(): void {
    this.running = true;
    for (const storeId of this.pendingStores()) this.schedule(storeId);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const { timer } of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
    await this.builds.idle();
  }

  /** (Re)starts the store's debounce. */
  schedule(storeId: string): void {
    if (!this.running) return;
    const existing = this.timers.get(storeId);
    if (existing) this.clock.clearTimeout(existing.timer);
    const at = this.clock.now() + this.debounceMs;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(storeId);
      this.builds.build(storeId, { trigger: 'enrolment-change', actor: null }).then(
        (result) => {
          if (!result.built)
            this.log.debug({ storeId, reason: result.reason }, 'automatic gallery build: nothing to do');
        },
        (err: unknown) => this.log.warn({ err, storeId }, 'automatic gallery build failed'),
      );
    }, this.debounceMs);
    this.timers.set(storeId, { timer, at });
  }

  /** When the store's automatic build runs, or null. */
  nextBuildAt(storeId: string): number | null {
    return this.timers.get(storeId)?.at ?? null;
  }
}
