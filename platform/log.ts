import { type Level, type Logger, pino } from 'pino';

export type { Logger };

const REDACT = {
  paths: ['*.password', '*.token', '*.privateKey', '*.keyPem', 'token', 'password'],
  censor: '[redacted]',
};

/**
 * One logger factory for every process. Secrets never reach it: certificates are logged by id, tokens not at all
 * (`redact` is the safety net, not the plan).
 */
export function createLogger(
  name: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  tee?: { write(line: string): void },
): Logger {
  if (!tee || level === 'silent') return pino({ name, level, redact: REDACT });
  // Every line also goes to `tee`, already redacted (a device's in-memory ring for its `logs` command).
  return deviceLogger(name, tee, level, level);
}

/**
 * A simulated device's logger: everything at `ringLevel` and above into its in-memory ring (what its `logs` command
 * answers), and only `consoleLevel` and above to stdout, so sixteen devices in one demo process do not flood it.
 */
export function deviceLogger(
  name: string,
  ring: { write(line: string): void },
  ringLevel = 'info',
  consoleLevel = 'warn',
): Logger {
  return pino(
    { name, level: ringLevel, redact: REDACT },
    pino.multistream([
      { level: consoleLevel as Level, stream: pino.destination(1) },
      { level: ringLevel as Level, stream: ring },
    ]),
  );
}

/** A logger that discards everything: for benchmarks and tests that assert on behaviour, not on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
