import assert from 'node:assert/strict';

/** A JSON document as it came off the wire (the SDK's service clients hand over `JSON.parse` of the payload). */
export type Doc = { [key: string]: unknown };

/**
 * The messages of one SDK subscription, in arrival order: `handler` is the SDK's `(error?, response?)` callback,
 * `next()` resolves with the next message (or fails after a timeout), `none()` asserts that nothing (more) came.
 */
export class Inbox {
  private readonly queue: (Doc | Error)[] = [];
  private readonly waiters: ((item: Doc | Error) => void)[] = [];

  constructor(readonly name: string) {}

  readonly handler = (error?: Error, response?: unknown): void => {
    const item: Doc | Error = error ?? (response as Doc);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.queue.push(item);
  };

  async next(timeoutMs = 3000): Promise<Doc> {
    const item =
      this.queue.shift() ??
      (await new Promise<Doc | Error>((resolve, reject) => {
        const waiter = (value: Doc | Error) => {
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no message on ${this.name} within ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiters.push(waiter);
      }));
    if (item instanceof Error) throw item;
    return item;
  }

  /** Asserts that nothing (more) arrived: call it once a message that would have come after it has arrived. */
  none(): void {
    assert.deepEqual(this.queue, [], `no message expected on ${this.name}`);
  }
}
