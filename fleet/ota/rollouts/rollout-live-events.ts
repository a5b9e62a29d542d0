import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { EventBus } from '../../../platform/event-bus.ts';
import type { Rollout, RolloutDevice } from '../../../protocol/api/rollouts.ts';
import type { FleetEvents } from '../../fleet-events.ts';

/**
 * The rollout engine's live events, throttled: a rollout's `rollout.changed` goes out at once when none went out
 * in the last `intervalMs` (a state change is seen at once), otherwise with the next flush, once, carrying the latest
 * state; a device's `rollout.device` is coalesced likewise to its latest state per flush. A thousand devices reporting
 * progress cost a thousand map writes and one event per rollout a second, not a thousand broadcasts of the whole
 * rollout.
 */
export class RolloutLiveEvents {
  private readonly lastSent = new Map<string, number>();
  private readonly dirtyRollouts = new Map<string, () => Rollout | undefined>();
  private readonly dirtyDevices = new Map<string, { rolloutId: string; view: () => RolloutDevice }>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly bus: EventBus<FleetEvents>,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = this.clock.setInterval(() => this.flush(), this.intervalMs);
  }

  /** Sends what is still waiting, then stops. */
  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  rollout(id: string, view: () => Rollout | undefined): void {
    const now = this.clock.now();
    const last = this.lastSent.get(id);
    if (last === undefined || now - last >= this.intervalMs) {
      this.dirtyRollouts.delete(id);
      this.send(id, view);
      return;
    }
    this.dirtyRollouts.set(id, view);
  }

  device(rolloutId: string, thingName: string, view: () => RolloutDevice): void {
    this.dirtyDevices.set(`${rolloutId}\u0000${thingName}`, { rolloutId, view });
  }

  /** A finished rollout's last event was sent: forget when. */
  forget(id: string): void {
    if (!this.dirtyRollouts.has(id)) this.lastSent.delete(id);
  }

  flush(): void {
    const devices = [...this.dirtyDevices.values()];
    this.dirtyDevices.clear();
    for (const { rolloutId, view } of devices) this.bus.emit('rollout.device', { rolloutId, device: view() });
    const rollouts = [...this.dirtyRollouts];
    this.dirtyRollouts.clear();
    for (const [id, view] of rollouts) this.send(id, view);
  }

  private send(id: string, view: () => Rollout | undefined): void {
    const rollout = view();
    if (!rollout) return;
    this.lastSent.set(id, this.clock.now());
    this.bus.emit('rollout.changed', { rollout });
  }
}
