/**
 * fleetctl's exit codes. Scripts branch on them, so they are part of the CLI's contract (docs/operations.md):
 * 1 = the fleet refused or failed (the error's code is printed), 2 = the command line was wrong, 3 = not signed in.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notSignedIn: 3 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure fleetctl reports as `error CODE: message` and turns into its exit code; `hint` is printed after it. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly code: string,
    message: string,
    /** `answer`: the API's `details` as sent, for a command that prints them its own way (an import's report). */
    readonly options: { hint?: string; details?: string[]; answer?: unknown } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(EXIT.usage, 'USAGE', message, hint ? { hint } : {});
}

export const NOT_SIGNED_IN_HINT =
  'run `fleetctl login --server URL`, or set FLEETCTL_SERVER and FLEETCTL_TOKEN; ' +
  'on the fleet host, `fleetctl local ...` works on the data dir without signing in';
