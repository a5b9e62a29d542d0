import { Ajv } from 'ajv';

export type SchemaCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * One JSON Schema compiled once with ajv, for payloads that enter a process (MQTT, files). Defaults in the schema
 * are filled into the checked value. The reason names the first failing path, e.g. `params.seconds: must be <= 60`.
 */
export class SchemaValidator<T> {
  private readonly validate;

  constructor(schema: object) {
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, useDefaults: true });
    this.validate = ajv.compile<T>(schema);
  }

  check(value: unknown): SchemaCheck<T> {
    if (this.validate(value)) return { ok: true, value };
    const error = this.validate.errors?.[0];
    const where = error?.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '(root)';
    return { ok: false, reason: `${where}: ${error?.message ?? 'invalid'}` };
  }
}

/** One validator per named schema (e.g. each command's params), compiled once. */
export function schemaValidators<K extends string, T = Record<string, unknown>>(
  schemas: Record<K, object>,
): Map<K, SchemaValidator<T>> {
  return new Map(Object.entries<object>(schemas).map(([name, schema]) => [name as K, new SchemaValidator<T>(schema)]));
}
