import { randomUUID } from 'node:crypto';

export type CartSessionState = 'idle' | 'shopping' | 'checkout';

export interface CartSessionSnapshot {
  state: CartSessionState;
  sessionId: string | null;
  startedAt: number | null;
  memberId: string | null;
}

/**
 * The shopper's session on the cart as the fleet sees it (shadow `reported.session`, `session.*` events): its life
 * cycle idle → shopping → checkout → idle. The trip itself (basket, pricing, payment) is `CartShop`'s, which drives
 * this through the runtime.
 */
export class CartSession {
  private snapshot: CartSessionSnapshot = { state: 'idle', sessionId: null, startedAt: null, memberId: null };
  private readonly listeners = new Set<(session: CartSessionSnapshot) => void>();

  get current(): CartSessionSnapshot {
    return { ...this.snapshot };
  }

  /** Calls `listener` after every change of state (the OTA install gate follows it); returns the unsubscribe. */
  onChange(listener: (session: CartSessionSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(memberId: string | null = null, sessionId: string = randomUUID()): CartSessionSnapshot {
    if (this.snapshot.state !== 'idle') throw new Error(`cannot start a session while ${this.snapshot.state}`);
    this.snapshot = { state: 'shopping', sessionId, startedAt: Date.now(), memberId };
    return this.changed();
  }

  checkout(): CartSessionSnapshot {
    if (this.snapshot.state !== 'shopping') throw new Error(`cannot check out while ${this.snapshot.state}`);
    this.snapshot = { ...this.snapshot, state: 'checkout' };
    return this.changed();
  }

  /** Back from checkout to shopping (the shopper cancelled the checkout). */
  resume(): CartSessionSnapshot {
    if (this.snapshot.state !== 'checkout') throw new Error(`cannot resume shopping while ${this.snapshot.state}`);
    this.snapshot = { ...this.snapshot, state: 'shopping' };
    return this.changed();
  }

  end(): CartSessionSnapshot {
    const was = this.snapshot.state;
    this.snapshot = { state: 'idle', sessionId: null, startedAt: null, memberId: null };
    return was === 'idle' ? this.current : this.changed();
  }

  private changed(): CartSessionSnapshot {
    const current = this.current;
    for (const listener of this.listeners) listener(current);
    return current;
  }
}
