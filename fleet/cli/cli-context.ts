import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ApiClient } from './api-client.ts';
import { type ResolvedCredentials, resolveCredentials } from './cli-credentials.ts';
import { usageError } from './cli-error.ts';
import { Output } from './output.ts';

/** What every command of fleetctl's API groups gets: its arguments, the output, and a signed-in API client. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  out: Output;
  /** The server and token to use, read once; throws exit 3 when there are none. */
  credentials(): ResolvedCredentials;
  /** The signed-in client; throws exit 3 when there are no credentials. */
  api(): ApiClient;
}

/** A group of commands (`fleetctl devices ...`), with the help `fleetctl devices --help` prints. */
export interface CommandGroup {
  name: string;
  summary: string;
  help: string;
  /** Resolves to the exit code (0 unless the command reports a failure it printed itself). */
  run(args: string[], ctx: CliContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** node:util parseArgs, strict, with its errors (unknown option, missing value) turned into usage errors (exit 2). */
export function parseCommand<const O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    // The first sentence: node's advice about '--' after it is noise here.
    throw usageError((err as Error).message.split(/\.\s|\n/)[0] ?? 'bad arguments');
  }
}

export function createContext(env: NodeJS.ProcessEnv, json: boolean): CliContext {
  let resolved: ResolvedCredentials | undefined;
  let client: ApiClient | undefined;
  const credentials = () => {
    resolved ??= resolveCredentials(env);
    return resolved;
  };
  return {
    env,
    out: new Output(json, process.stdout, process.stderr, env),
    credentials,
    api() {
      if (!client) {
        const { server, token } = credentials();
        client = new ApiClient(server, { token });
      }
      return client;
    },
  };
}

/** A positional the command cannot do without. */
export function required(value: string | undefined, what: string, group: string): string {
  if (!value) throw usageError(`missing ${what}`, `see \`fleetctl ${group} --help\``);
  return value;
}

/** A whole number from an option, or a usage error. */
export function integerOption(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usageError(`${name} must be a whole number ≥ ${min}, not '${value}'`);
  return n;
}

/** `90`, `90s`, `10m`, `2h`, `1d` → seconds. */
export function durationSeconds(value: string, name: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/i.exec(value.trim());
  if (!match) throw usageError(`${name} must be a duration like 90s, 10m or 2h, not '${value}'`);
  const unit = (match[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd';
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[unit];
}

/** Repeated options and comma lists both: `--store a --store b,c` → [a, b, c]. */
export function listOption(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** `fleetctl GROUP --help` prints the group's help (exit 0); a group without a command prints it as an error (exit 2). */
export function groupHelp(ctx: CliContext, group: CommandGroup, asked: boolean): number {
  if (asked) {
    ctx.out.line(group.help);
    return 0;
  }
  process.stderr.write(`${group.help}\n`);
  return 2;
}
