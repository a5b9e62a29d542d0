/**
 * How fleetctl prints: aligned tables with headers for people, the API's JSON untouched with `--json` for scripts,
 * progress on stderr (so it never mixes with what a script reads), colour only on a terminal and never with
 * NO_COLOR (https://no-color.org).
 */
export type Colour = 'green' | 'yellow' | 'red' | 'grey' | 'bold' | 'cyan';

const SGR: Record<Colour, [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  grey: [90, 39],
  cyan: [36, 39],
  bold: [1, 22],
};

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | null | undefined;
  /** Longer cells are cut with an ellipsis. */
  max?: number;
  align?: 'left' | 'right';
  colour?: (row: Row) => Colour | undefined;
}

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class Output {
  readonly colour: boolean;
  private progressShown = false;

  constructor(
    readonly json: boolean,
    private readonly stdout: Stream = process.stdout,
    private readonly stderr: Stream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {
    this.colour = Boolean(stdout.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  }

  /** `--json`: the value as the API answered it. */
  printJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A note for people (counts, hints): on stderr, so that `fleetctl ... | cut` sees only the table. */
  note(text: string): void {
    this.clearProgress();
    this.stderr.write(`${text}\n`);
  }

  paint(text: string, colour: Colour | undefined): string {
    if (!this.colour || !colour || text === '') return text;
    const [on, off] = SGR[colour];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }

  table<Row>(rows: readonly Row[], columns: readonly Column<Row>[], empty = '(none)'): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const cells = rows.map((row) => columns.map((c) => truncate(cellText(c.value(row)), c.max)));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => width(r[i] ?? ''))));
    const render = (texts: string[], colours: (Colour | undefined)[]) =>
      texts
        .map((text, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - width(text));
          const painted = this.paint(text, colours[i]);
          return columns[i]?.align === 'right' ? pad + painted : painted + pad;
        })
        .join('  ')
        .trimEnd();
    this.line(
      render(
        columns.map((c) => c.header),
        columns.map(() => 'bold'),
      ),
    );
    rows.forEach((row, r) => {
      this.line(
        render(
          cells[r] ?? [],
          columns.map((c) => c.colour?.(row)),
        ),
      );
    });
  }

  /** `label  value` pairs, labels aligned; null values print as `-`. */
  fields(pairs: [string, string | number | null | undefined][]): void {
    const labelWidth = Math.max(...pairs.map(([label]) => label.length));
    for (const [label, value] of pairs)
      this.line(`${this.paint(label.padEnd(labelWidth), 'grey')}  ${cellText(value)}`);
  }

  heading(text: string): void {
    this.line();
    this.line(this.paint(text, 'bold'));
  }

  /** One line of progress on stderr, rewritten in place on a terminal, one line each elsewhere (CI logs). */
  progress(text: string): void {
    if (this.stderr.isTTY) {
      this.stderr.write(`\r\u001b[K${text}`);
      this.progressShown = true;
    } else {
      this.stderr.write(`${text}\n`);
    }
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.stderr.write('\r\u001b[K');
    this.progressShown = false;
  }

  /** "3 min ago", "in 2 h", "-" for null. */
  ago(ts: number | null | undefined): string {
    return relativeTime(ts, this.now());
  }
}

export function relativeTime(ts: number | null | undefined, now: number): string {
  if (ts === null || ts === undefined) return '-';
  const seconds = Math.round((now - ts) / 1000);
  const abs = Math.abs(seconds);
  let text: string;
  if (abs < 5) return 'just now';
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.floor(abs / 60)} min`;
  else if (abs < 86_400) text = `${Math.floor(abs / 3600)} h`;
  else if (abs < 60 * 86_400) text = `${Math.floor(abs / 86_400)} d`;
  else return new Date(ts).toISOString().slice(0, 10);
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

export function truncate(text: string, max: number | undefined): string {
  if (!max || width(text) <= max) return text;
  return `${[...text].slice(0, Math.max(1, max - 1)).join('')}…`;
}

function cellText(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value).replace(/[\r\n\t]+/g, ' ');
}

/** Characters, not UTF-16 units, so that "…" and "⚡" count as one column. */
function width(text: string): number {
  return [...text].length;
}
