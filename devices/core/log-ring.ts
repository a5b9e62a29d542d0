/**
 * The runtime's most recent log lines, in memory, for the `logs` command: a pino destination (`createLogger`'s tee)
 * that keeps the last `capacity` lines, each cut to `maxLineChars`. Bounded both ways, so a chatty device cannot
 * grow it, and nothing is written to flash.
 */
export class LogRing {
  private readonly lines: { level: number; line: string }[] = [];

  constructor(
    private readonly capacity = 1000,
    private readonly maxLineChars = 2048,
  ) {}

  /** pino writes one JSON line per call. */
  write(chunk: string): void {
    const text = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
    const level = Number(/"level":(\d+)/.exec(text)?.[1] ?? 0);
    const line = text.length > this.maxLineChars ? `${text.slice(0, this.maxLineChars)}…` : text;
    this.lines.push({ level, line });
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** The last `count` lines at `minLevel` (pino's numbers) or above, oldest first. */
  tail(count: number, minLevel = 0): string[] {
    const out: string[] = [];
    for (let i = this.lines.length - 1; i >= 0 && out.length < count; i--) {
      const entry = this.lines[i];
      if (entry && entry.level >= minLevel) out.push(entry.line);
    }
    return out.reverse();
  }

  get size(): number {
    return this.lines.length;
  }
}
