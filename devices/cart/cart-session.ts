import { randomUUID } from 'node:crypto';

export type CartSessionState = 'idle' | 'shopping' | 'checkout';

export interface CartSessionSnapshot {
  state: CartSessionState;
  sessionId: string | null;
  startedAt: number | null;
  memberId: string | null;
}

/**
 * The shopper's session on the cart. This issue keeps only its life cycle (idle → shopping → checkout → idle);
 * basket, pricing and payment arrive with the smart-cart issue and hang off this class.
 */
export class CartSession {
  private snapshot: CartSessionSnapshot = { state: 'idle', sessionId: null, startedAt: null, memberId: null };

  get current(): CartSessionSnapshot {
    return { ...this.snapshot };
  }

  start(memberId: string | null = null): CartSessionSnapshot {
    if (this.snapshot.state !== 'idle') throw new Error(`cannot start a session while ${this.snapshot.state}`);
    this.snapshot = { state: 'shopping', sessionId: randomUUID(), startedAt: Date.now(), memberId };
    return this.current;
  }

  checkout(): CartSessionSnapshot {
    if (this.snapshot.state !== 'shopping') throw new Error(`cannot check out while ${this.snapshot.state}`);
    this.snapshot = { ...this.snapshot, state: 'checkout' };
    return this.current;
  }

  end(): CartSessionSnapshot {
    this.snapshot = { state: 'idle', sessionId: null, startedAt: null, memberId: null };
    return this.current;
  }
}
