import { Ajv, type ValidateFunction } from 'ajv';

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: unknown };
type Validator = ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] };

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Validators for the HTTP parts. Bodies are JSON and are never coerced: a misspelt field or `"version": "2"` is
 * refused, not fixed up. Query strings and path params are text by nature and are converted here, by the schema,
 * before Ajv sees them:
 *
 * - Ajv's own coercion turned `Infinity`, `1e309` and `-1e309` into non-finite numbers and then skipped `minimum`
 *   and `maximum` (its number keywords only run on finite numbers), so `limit=-1e309` passed `minimum: 1` and
 *   reached SQLite as a float (500, "datatype mismatch"). Here a value becomes a number only if it is written as
 *   one and is finite, and an integer only if it is written as one and is a safe integer; anything else stays text
 *   and Ajv refuses it as the wrong type (400 BAD_REQUEST).
 * - `0x10`, ` 5` and `1e3` are not accepted as integers either (`Number()` would).
 */
export class RequestValidators {
  private readonly body = new Ajv({ coerceTypes: false, ...COMMON });
  private readonly text = new Ajv({ coerceTypes: false, ...COMMON });

  compile(schema: object, httpPart: string | undefined): Validator {
    if (httpPart === 'body') return this.body.compile(schema);
    const validate = this.text.compile(schema);
    const validator: Validator = (data) => {
      convertText(schema as Schema, data);
      const ok = validate(data);
      validator.errors = validate.errors;
      return ok;
    };
    return validator;
  }
}

const COMMON = { useDefaults: true, removeAdditional: false, allErrors: false, allowUnionTypes: true } as const;

function convertText(schema: Schema, data: unknown): void {
  if (!schema.properties || typeof data !== 'object' || data === null) return;
  const record = data as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    const property = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (property) record[key] = convertValue(property, value);
  }
}

function convertValue(schema: Schema, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('integer') && INTEGER.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  if (types.includes('number') && DECIMAL.test(value)) {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
