import { Transform } from 'node:stream';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';

/** The download cap that applies to a device now: its store's, from its rollout (null: none). */
export type DownloadCap = { storeId: string; kbps: number } | null;

/** A store's link is shared: this much of a second's worth may go at once after a quiet spell. */
const BURST_SECONDS = 0.25;
/** Never less than this at once (the lowest cap, 64 kbit/s, would otherwise cut 64 KiB reads into 2 KB pieces). */
const MIN_BURST_BYTES = 4096;

interface Waiter {
  bytes: number;
  resolve: () => void;
}

/**
 * A token bucket: `rate` bytes a second, at most `burst` saved up. Takers wait in line (first come, first served), so
 * concurrent downloads of one store share its rate evenly, piece by piece.
 */
class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;

  constructor(
    private rate: number,
    private burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  get pieceBytes(): number {
    return this.burst;
  }

  setRate(rate: number, burst: number): void {
    this.refill();
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Resolves once `bytes` (≤ the burst) may be sent. */
  take(bytes: number): { done: Promise<void>; cancel: () => void } {
    let waiter: Waiter | undefined;
    const done = new Promise<void>((resolve) => {
      waiter = { bytes: Math.min(bytes, this.burst), resolve };
      this.waiters.push(waiter);
      this.serve();
    });
    return {
      done,
      cancel: () => {
        const i = waiter ? this.waiters.indexOf(waiter) : -1;
        if (i >= 0) this.waiters.splice(i, 1);
        if (this.waiters.length === 0) this.disarm();
      },
    };
  }

  get idle(): boolean {
    return this.waiters.length === 0;
  }

  stop(): void {
    this.disarm();
    this.waiters.length = 0;
  }

  private serve(): void {
    this.disarm();
    this.refill();
    for (let first = this.waiters[0]; first && this.tokens >= first.bytes; first = this.waiters[0]) {
      this.tokens -= first.bytes;
      this.waiters.shift();
      first.resolve();
    }
    const next = this.waiters[0];
    if (next) {
      const wait = Math.ceil(((next.bytes - this.tokens) / this.rate) * 1000);
      this.timer = this.clock.setTimeout(
        () => {
          this.timer = undefined;
          this.serve();
        },
        Math.max(1, wait),
      );
    }
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }

  private disarm(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * The per-store download bandwidth cap of a rollout (`storeBandwidthKbps`): one token bucket per store, shared by
 * every OTA download of that store's devices at once, so a store's uplink carries the rollout at the cap however
 * many carts download. The device download route pipes each download through `throttle(thingName)`: a Transform
 * that passes bytes as the bucket allows, or `null` when the device's rollout sets no cap.
 */
export class StoreBandwidth {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly capOf: (thingName: string) => DownloadCap,
    private readonly clock: Clock,
  ) {}

  throttle(thingName: string): NodeJS.ReadWriteStream | null {
    const cap = this.capOf(thingName);
    if (!cap) return null;
    const bucket = this.bucket(cap);
    let pending: { cancel: () => void } | undefined;
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        void (async () => {
          for (let offset = 0; offset < chunk.length; offset += bucket.pieceBytes) {
            const piece = chunk.subarray(offset, offset + bucket.pieceBytes);
            const take = bucket.take(piece.length);
            pending = take;
            await take.done;
            pending = undefined;
            if (this.destroyed) return;
            this.push(piece);
          }
          callback();
        })();
      },
      destroy(err, callback) {
        // A download cut short gives its place in line back.
        pending?.cancel();
        callback(err);
      },
    });
  }

  /** Stores with a bucket (tests, metrics). */
  get stores(): string[] {
    return [...this.buckets.keys()];
  }

  stop(): void {
    for (const bucket of this.buckets.values()) bucket.stop();
    this.buckets.clear();
  }

  private bucket(cap: NonNullable<DownloadCap>): TokenBucket {
    const rate = (cap.kbps * 1000) / 8;
    const burst = Math.max(MIN_BURST_BYTES, Math.round(rate * BURST_SECONDS));
    let bucket = this.buckets.get(cap.storeId);
    if (!bucket) {
      bucket = new TokenBucket(rate, burst, this.clock);
      this.buckets.set(cap.storeId, bucket);
    } else {
      bucket.setRate(rate, burst);
    }
    return bucket;
  }
}
