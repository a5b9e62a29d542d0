import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * One logger factory for every process. Secrets never reach it: certificates are logged by id, tokens not at all
 * (`redact` is the safety net, not the plan).
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.password', '*.token', '*.privateKey', '*.keyPem', 'token', 'password'], censor: '[redacted]' },
  });
}

/** A logger that discards everything: for benchmarks and tests that assert on behaviour, not on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
