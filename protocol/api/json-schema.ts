/**
 * The API contract is written as JSON Schema (draft-07, the dialect Fastify's Ajv and @fastify/swagger read) and the
 * TypeScript types are derived from the same literals with {@link FromSchema}, so a shape exists once: what the
 * server validates and serializes, what the OpenAPI document says, and what the CLI and the console compile against.
 *
 * `FromSchema` understands the keywords this folder uses and nothing else: `type` (one or a list), `enum`, `const`,
 * `anyOf`/`oneOf`, `properties` + `required`, `additionalProperties` (false, true or a schema), `items` (a schema, or
 * a list for a tuple) and `default`. Anything else is `unknown`, which the compiler then forces callers to check.
 */

/** How a value is seen: as a client sends it, or as a handler receives it after validation filled the defaults. */
export type SchemaView = 'sent' | 'checked';

export type FromSchema<S, V extends SchemaView = 'sent'> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly anyOf: readonly (infer A)[] }
      ? FromSchema<A, V>
      : S extends { readonly oneOf: readonly (infer A)[] }
        ? FromSchema<A, V>
        : S extends { readonly type: infer T }
          ? OfType<T extends readonly (infer U)[] ? U : T, S, V>
          : unknown;

type OfType<T, S, V extends SchemaView> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? ArrayOf<S, V>
          : T extends 'object'
            ? ObjectOf<S, V>
            : never;

type ArrayOf<S, V extends SchemaView> = S extends { readonly items: readonly [...infer I] }
  ? { -readonly [K in keyof I]: FromSchema<I[K], V> }
  : S extends { readonly items: infer I }
    ? FromSchema<I, V>[]
    : unknown[];

type ObjectOf<S, V extends SchemaView> = S extends { readonly properties: infer P }
  ? Flatten<PropertiesOf<P, RequiredKeys<S, P, V>, V> & ExtraOf<S, V>>
  : S extends { readonly additionalProperties: false }
    ? Record<string, never>
    : S extends { readonly additionalProperties: unknown }
      ? ExtraOf<S, V>
      : { [key: string]: unknown };

type RequiredKeys<S, P, V extends SchemaView> =
  | (S extends { readonly required: readonly (infer R)[] } ? R : never)
  | (V extends 'checked' ? { [K in keyof P]: P[K] extends { readonly default: unknown } ? K : never }[keyof P] : never);

type PropertiesOf<P, R, V extends SchemaView> = {
  -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K], V>;
} & { -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K], V> };

/** Properties beyond the declared ones: none unless `additionalProperties` says so. */
type ExtraOf<S, V extends SchemaView> = S extends { readonly additionalProperties: infer A }
  ? A extends false
    ? unknown
    : A extends true
      ? { [key: string]: unknown }
      : { [key: string]: FromSchema<A, V> }
  : unknown;

type Flatten<T> = { [K in keyof T]: T[K] };

// Builders for the shapes the contract repeats. Each returns a plain JSON Schema object typed as its literal, so
// FromSchema sees exactly what Ajv, fast-json-stringify and @fastify/swagger see.

type Properties = { readonly [key: string]: object };

/**
 * A closed object (unknown properties refused in requests, dropped from responses): every property is required
 * except those named in `optional`.
 */
export function object<const P extends Properties, const O extends keyof P & string = never>(
  properties: P,
  options: { optional?: readonly O[]; description?: string } = {},
): {
  type: 'object';
  additionalProperties: false;
  required: Exclude<keyof P & string, O>[];
  properties: P;
  description?: string;
} {
  const optional: readonly string[] = options.optional ?? [];
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((key) => !optional.includes(key)) as Exclude<keyof P & string, O>[],
    properties,
    ...(options.description ? { description: options.description } : {}),
  };
}

type TypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

/** The schema, or `null`. An enum gets `null` added to its values too (JSON Schema checks `enum` on its own). */
export function nullable<const S extends { type: TypeName }>(
  schema: S,
): Omit<S, 'type' | 'enum'> & { type: [S['type'], 'null'] } & (S extends { enum: readonly (infer E)[] }
    ? { enum: (E | null)[] }
    : unknown) {
  const out: Record<string, unknown> = { ...schema, type: [schema.type, 'null'] };
  if ('enum' in schema && Array.isArray(schema.enum)) out.enum = [...schema.enum, null];
  return out as never;
}

/**
 * An integer between `minimum` and `maximum`. Both bounds are always present: without them a 30-digit query value
 * passed validation and reached SQLite as a float ("datatype mismatch"). The default range is the safe integers.
 */
export function integer<const O extends { minimum?: number; maximum?: number; default?: number; description?: string }>(
  options: O = {} as O,
): { type: 'integer'; minimum: number; maximum: number } & Omit<O, 'minimum' | 'maximum'> {
  return {
    ...options,
    type: 'integer',
    minimum: options.minimum ?? Number.MIN_SAFE_INTEGER,
    maximum: options.maximum ?? Number.MAX_SAFE_INTEGER,
  } as never;
}

/** A list of the values, for `enum` from a readonly tuple such as `DEVICE_KINDS`. */
export function oneOfValues<
  const T extends readonly string[],
  const O extends { description?: string; default?: T[number] } = Record<never, never>,
>(values: T, options: O = {} as O): { type: 'string'; enum: T[number][] } & O {
  return { type: 'string', enum: [...values], ...options };
}

/** Epoch milliseconds. */
export const epochMs = integer({ minimum: 0, description: 'milliseconds since the epoch' });
export const nullableEpochMs = nullable(epochMs);

/** The body of every error answer (`protocol/errors.ts` lists the codes). */
export const ErrorBodySchema = {
  $id: 'Error',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'one of the codes of protocol/errors.ts' },
    message: { type: 'string' },
    details: { description: 'what failed: the failing fields for BAD_REQUEST, one line per problem elsewhere' },
  },
} as const;
export type ErrorBody = FromSchema<typeof ErrorBodySchema>;

/** A 204 answer: no body. */
export const NoContent = { type: 'null', description: 'no content' } as const;
