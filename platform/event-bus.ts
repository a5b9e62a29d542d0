import type { Logger } from './log.ts';

type Listener<T> = (payload: T) => void;

/**
 * A typed, synchronous event bus. Subsystems talk through it instead of holding each other. A listener that throws
 * is logged and the others still run: one broken subscriber must not take the device plane down. Each subscriber
 * gets back an `off` function and releases it on `stop()`.
 */
export class EventBus<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (err) {
        this.log.error({ err, event: String(event) }, 'event listener failed');
      }
    }
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
