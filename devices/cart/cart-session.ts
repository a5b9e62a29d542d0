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

  get current(): CartSessionSnapshot {
    return { ...this.snapshot };
  }

  start(memberId: string | null = null, sessionId: string = randomUUID()): CartSessionSnapshot {
    if (this.snapshot.state !== 'idle') throw new Error(`cannot start a session while ${this.snapshot.state}`);
    this.snapshot = { state: 'shopping', sessionId, startedAt: Date.now(), memberId };
    return this.current;
  }

  checkout(): CartSessionSnapshot {
    if (this.snapshot.state !== 'shopping') throw new Error(`cannot check out while ${this.snapshot.state}`);
    this.snapshot = { ...this.snapshot, state: 'checkout' };
    return this.current;
  }

  /** Back from checkout to shopping (the shopper cancelled the checkout). */
  resume(): CartSessionSnapshot {
    if (this.snapshot.state !== 'checkout') throw new Error(`cannot resume shopping while ${this.snapshot.state}`);
    this.snapshot = { ...this.snapshot, state: 'shopping' };
    return this.current;
  }

  end(): CartSessionSnapshot {
    this.snapshot = { state: 'idle', sessionId: null, startedAt: null, memberId: null };
    return this.current;
  }
}
