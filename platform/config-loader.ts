import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { FleetError } from '../protocol/errors.ts';
import { CONFIG_EXIT_CODE } from './exit-codes.ts';

/**
 * Loads one process's configuration: the JSON file (if any), then environment overrides, validated against the
 * process's schema with every problem reported at once.
 *
 * Environment overrides: `{PREFIX}_{PATH}` where path segments are separated by `__` and written in SNAKE_CASE,
 * e.g. `FLEET_MQTT__TLS_PORT=9883` sets `mqtt.tlsPort`. Values are parsed as JSON when they parse, else kept as text.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  options: { file?: string | undefined; envPrefix: string; env?: NodeJS.ProcessEnv; overrides?: object },
): z.infer<S> {
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};
  if (options.file !== undefined) {
    if (!existsSync(options.file)) {
      problems.push(`config file not found: ${options.file}`);
    } else {
      try {
        const parsed: unknown = JSON.parse(readFileSync(options.file, 'utf8'));
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          problems.push(`${options.file}: the top level must be a JSON object`);
        } else {
          raw = parsed as Record<string, unknown>;
        }
      } catch (err) {
        problems.push(`${options.file}: not valid JSON (${(err as Error).message})`);
      }
    }
  }
  deepMerge(raw, (options.overrides ?? {}) as Record<string, unknown>);
  const fromEnv = applyEnv(raw, options.envPrefix, options.env ?? process.env);
  let result = schema.safeParse(raw);
  // An env value that parsed as JSON (`CART_THING_NAME=1234` → 1234) where the schema wants text is meant as text.
  if (!result.success && keepEnvTextWhereTextIsExpected(raw, fromEnv, result.error.issues))
    result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      problems.push(`${path}: ${issue.message}`);
    }
  }
  if (problems.length > 0) {
    throw new FleetError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, problems);
  }
  return (result as { data: z.infer<S> }).data;
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
    else if (value !== undefined) target[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface EnvValue {
  path: string[];
  text: string;
}

function applyEnv(target: Record<string, unknown>, prefix: string, env: NodeJS.ProcessEnv): EnvValue[] {
  const applied: EnvValue[] = [];
  const start = `${prefix}_`;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(start) || value === undefined) continue;
    // `{PREFIX}_CONFIG` names the config file (`FLEET_CONFIG`, `CART_CONFIG`); it is not a setting.
    if (name === `${start}CONFIG`) continue;
    const path = name
      .slice(start.length)
      .split('__')
      .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    let node = target;
    for (const segment of path.slice(0, -1)) {
      if (!isPlainObject(node[segment])) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = parseEnvValue(value);
    applied.push({ path, text: value });
  }
  return applied;
}

function keepEnvTextWhereTextIsExpected(
  target: Record<string, unknown>,
  fromEnv: EnvValue[],
  issues: { path: PropertyKey[]; code: string; expected?: unknown }[],
): boolean {
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' || issue.expected !== 'string') continue;
    const key = issue.path.join('.');
    const env = fromEnv.find((e) => e.path.join('.') === key);
    if (!env) continue;
    let node = target;
    for (const segment of env.path.slice(0, -1)) node = node[segment] as Record<string, unknown>;
    node[env.path[env.path.length - 1] as string] = env.text;
    changed = true;
  }
  return changed;
}

function parseEnvValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Prints a configuration error and exits non-zero; for composition roots only. */
export function exitOnConfigError(err: unknown): never {
  if (err instanceof FleetError && err.code === 'CONFIG_INVALID') {
    process.stderr.write(`${err.message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  throw err;
}
