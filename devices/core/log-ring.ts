/**
 * The runtime's most recent log lines, in memory, for the `logs` command: a pino destination (`createLogger`'s tee)
 * that keeps the last `capacity` lines, each cut to `maxLineChars`. Bounded both ways, so a chatty device cannot
 * grow it, and nothing is written to flash.
 */
export class LogRing {
  /** A circular buffer: `next` is where the next line goes, the oldest once full. */
  private readonly lines: { level: number; line: string }[] = [];
  private next = 0;

  constructor(
    private readonly capacity = 1000,
    private readonly maxLineChars = 2048,
  ) {}

  /** pino writes one JSON line per call. */
  write(chunk: string): void {
    if (this.capacity <= 0) return;
    const text = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
    const level = Number(/"level":(\d+)/.exec(text)?.[1] ?? 0);
    const line = text.length > this.maxLineChars ? `${text.slice(0, this.maxLineChars)}…` : text;
    this.lines[this.next] = { level, line };
    this.next = (this.next + 1) % this.capacity;
  }

  /** The last `count` lines at `minLevel` (pino's numbers) or above, oldest first. */
  tail(count: number, minLevel = 0): string[] {
    const out: string[] = [];
    const size = this.lines.length;
    for (let i = 1; i <= size && out.length < count; i++) {
      const entry = this.lines[(this.next - i + size) % size];
      if (entry && entry.level >= minLevel) out.push(entry.line);
    }
    return out.reverse();
  }

  get size(): number {
    return this.lines.length;
  }
}
