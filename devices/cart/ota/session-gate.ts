import type { InstallGate } from '../../../ota/agent/component-handler.ts';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { CartSessionSnapshot } from '../cart-session.ts';

/** What the gate follows: the cart's session as the fleet sees it (`CartSession`). */
export interface SessionSource {
  readonly current: CartSessionSnapshot;
  onChange(listener: (session: CartSessionSnapshot) => void): () => void;
}

export interface SessionGateOptions {
  /**
   * How long after a session ends the gate stays closed. A trip that ends at the dock is often followed at once by
   * the next shopper taking the same cart (or the same shopper starting over); an install, or a software restart,
   * that began in that gap would greet them with a frozen screen.
   */
  quietAfterMs?: number;
}

export const SHOPPER_SESSION = 'shopper session';
const DEFAULT_QUIET_AFTER_MS = 30_000;

/**
 * The cart's install gate (issue 10 item 4: "a cart never installs during a shopper's session"): closed from a
 * session's start (shopping, checkout) until `quietAfterMs` after it ends, with the reason "shopper session". The
 * OTA agent keeps a job waiting (step `waiting`, the execution QUEUED) while it is closed and is told when it opens.
 */
export class SessionGate implements InstallGate {
  private readonly listeners = new Set<() => void>();
  /** When the last session ended (the quiet time runs from here); -Infinity before any. */
  private endedAt = Number.NEGATIVE_INFINITY;
  private reopen: TimerHandle | undefined;
  private wasOpen = true;
  private offSession: (() => void) | undefined;

  constructor(
    private readonly session: SessionSource,
    private readonly clock: Clock,
    private readonly options: SessionGateOptions = {},
  ) {}

  /** Follows the session; onChange() calls it for the first listener, so the agent's listening is enough. */
  start(): void {
    if (this.offSession) return;
    this.offSession = this.session.onChange((s) => {
      if (s.state === 'idle') {
        this.endedAt = this.clock.now();
        this.clock.clearTimeout(this.reopen);
        this.reopen = this.clock.setTimeout(() => {
          this.reopen = undefined;
          this.notifyIfChanged();
        }, this.quietAfterMs);
      }
      this.notifyIfChanged();
    });
    this.wasOpen = this.isOpen().open;
  }

  stop(): void {
    this.listeners.clear();
    this.unfollow();
  }

  isOpen(): { open: true } | { open: false; reason: string } {
    if (this.session.current.state !== 'idle') return { open: false, reason: SHOPPER_SESSION };
    if (this.clock.now() < this.endedAt + this.quietAfterMs)
      return { open: false, reason: `${SHOPPER_SESSION} just ended` };
    return { open: true };
  }

  /** Calls `listener` when the gate opens or closes; the gate follows the session while it has listeners. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unfollow();
    };
  }

  private unfollow(): void {
    this.offSession?.();
    this.offSession = undefined;
    this.clock.clearTimeout(this.reopen);
    this.reopen = undefined;
  }

  private get quietAfterMs(): number {
    return this.options.quietAfterMs ?? DEFAULT_QUIET_AFTER_MS;
  }

  private notifyIfChanged(): void {
    const open = this.isOpen().open;
    if (open === this.wasOpen) return;
    this.wasOpen = open;
    for (const listener of [...this.listeners]) listener();
  }
}
