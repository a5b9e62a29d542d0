/** pino's level numbers, as a report shows them. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * The log ring's pino lines made short enough for a failure's `logs` (1,024 characters in all): the level, the part,
 * the message and an error's text, without the time, pid and host every line repeats.
 */
export function readableLogLines(lines: string[]): string[] {
  return lines.map((line) => {
    try {
      const record = JSON.parse(line) as { level?: number; msg?: string; part?: string; err?: unknown };
      const err = record.err
        ? `: ${typeof record.err === 'string' ? record.err : ((record.err as { message?: string }).message ?? '')}`
        : '';
      const part = record.part ? ` [${record.part}]` : '';
      return `${LEVELS[record.level ?? 30] ?? record.level}${part} ${record.msg ?? ''}${err}`;
    } catch {
      return line;
    }
  });
}
