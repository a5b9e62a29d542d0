import { type Level, type Logger, pino } from 'pino';

export type { Logger };

/**
 * One logger factory for every process. Secrets never reach it: certificates are logged by id, tokens not at all
 * (`redact` is the safety net, not the plan).
 */
export function createLogger(
  name: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  tee?: { write(line: string): void },
): Logger {
  const options = {
    name,
    level,
    redact: { paths: ['*.password', '*.token', '*.privateKey', '*.keyPem', 'token', 'password'], censor: '[redacted]' },
  };
  if (!tee || level === 'silent') return pino(options);
  // Every line also goes to `tee`, already redacted (a device's in-memory ring for its `logs` command).
  return pino(
    options,
    pino.multistream([
      { level: level as Level, stream: pino.destination(1) },
      { level: level as Level, stream: tee },
    ]),
  );
}

/** A logger that discards everything: for benchmarks and tests that assert on behaviour, not on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
