/**
 * At most `size` jobs at once, the rest waiting in order. The fleet's machine class has two cores and ffmpeg's audio
 * filters are single-threaded, so two ffmpeg processes keep both busy; more only add context switches and memory.
 */
export class ProcessSlots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('ProcessSlots needs at least one slot');
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}
