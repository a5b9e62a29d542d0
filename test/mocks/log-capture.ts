import { pino } from 'pino';
import type { Logger } from '../../platform/log.ts';

/** One pino line, parsed: `msg`, `level` (pino's number) and the bound and logged fields. */
export type LogRecord = Record<string, unknown> & { msg: string; level: number };

/** pino's number for `warn`. */
export const WARN = 40;

/**
 * A logger that keeps every record in memory, for tests that assert what was logged (a dropped message's reason
 * code): pino writes synchronously into the array.
 */
export function captureLogs(level = 'debug'): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = pino({ level }, { write: (line: string) => records.push(JSON.parse(line) as LogRecord) });
  return { log, records };
}
