import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import { VISION_LIVE_INTERVAL_MS, type VisionChange } from '../../protocol/api/vision.ts';
import type { FleetEvents } from '../fleet-events.ts';

/**
 * `vision.changed` on the bus, at most once per `intervalMs` per store and kind: the first change goes at once, the
 * ones after it within the interval become one more at its end (a store's carts may send several records a second;
 * a console reloads once).
 */
export class VisionChanges {
  private readonly last = new Map<string, number>();
  private readonly trailing = new Map<string, TimerHandle>();

  constructor(
    private readonly bus: EventBus<FleetEvents>,
    private readonly clock: Clock,
    private readonly intervalMs = VISION_LIVE_INTERVAL_MS,
  ) {}

  changed(storeId: string, what: VisionChange): void {
    const key = `${what}\u0000${storeId}`;
    if (this.trailing.has(key)) return;
    const now = this.clock.now();
    const wait = (this.last.get(key) ?? Number.NEGATIVE_INFINITY) + this.intervalMs - now;
    if (wait <= 0) {
      this.send(key, storeId, what);
      return;
    }
    this.trailing.set(
      key,
      this.clock.setTimeout(() => {
        this.trailing.delete(key);
        this.send(key, storeId, what);
      }, wait),
    );
  }

  stop(): void {
    for (const timer of this.trailing.values()) this.clock.clearTimeout(timer);
    this.trailing.clear();
  }

  private send(key: string, storeId: string, what: VisionChange): void {
    this.last.set(key, this.clock.now());
    this.bus.emit('vision.changed', { storeId, what });
  }
}
