import assert from 'node:assert/strict';
import { type FromSchema, integer, nullable, object, oneOfValues } from '../../../protocol/api/json-schema.ts';

/** True when A and B are the same type (not merely assignable). */
type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Same<A, B>) => assert.equal(proof, true);

const Sample = object(
  {
    name: { type: 'string' },
    count: integer({ minimum: 1, maximum: 10, default: 3 }),
    kind: nullable(oneOfValues(['cart', 'speaker'] as const)),
    point: { type: 'array', items: [{ type: 'number' }, { type: ['number', 'null'] }] },
    metrics: { type: 'object', additionalProperties: { type: ['number', 'string'] } },
    document: { type: 'object', additionalProperties: true },
    anything: {},
    nested: object({ at: integer() }, { optional: ['at'] }),
  },
  { optional: ['count', 'anything'] },
);

describe('protocol/api/json-schema', () => {
  it('derives types from schemas: required and optional, enums with null, tuples, records, unknowns', () => {
    type Sent = FromSchema<typeof Sample>;
    same<Sent['name'], string>(true);
    same<Sent['kind'], 'cart' | 'speaker' | null>(true);
    same<Sent['point'], [number, number | null]>(true);
    same<Sent['metrics'], { [key: string]: number | string }>(true);
    same<Sent['document'], { [key: string]: unknown }>(true);
    same<Sent['anything'], unknown>(true);
    same<Sent['nested'], { at?: number }>(true);
    same<keyof Sent, 'name' | 'count' | 'kind' | 'point' | 'metrics' | 'document' | 'anything' | 'nested'>(true);
    same<Pick<Sent, 'count'>, { count?: number }>(true);
    // A handler sees a defaulted property as present; a client may leave it out.
    same<Pick<FromSchema<typeof Sample, 'checked'>, 'count'>, { count: number }>(true);
    // @ts-expect-error an unknown property is not part of a closed object
    const extra: Sent = { name: 'a', kind: null, point: [1, null], metrics: {}, document: {}, nested: {}, colour: 1 };
    assert.ok(extra);
  });

  it('object() requires every property but the optional ones and refuses others', () => {
    assert.deepEqual(Sample.required, ['name', 'kind', 'point', 'metrics', 'document', 'nested']);
    assert.equal(Sample.additionalProperties, false);
  });

  it('integer() always carries both bounds, the safe integers unless narrower', () => {
    assert.deepEqual(integer(), {
      type: 'integer',
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
    assert.deepEqual(integer({ minimum: 0, default: 5 }), {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 5,
    });
  });

  it('nullable() adds null to the type and to an enum', () => {
    assert.deepEqual(nullable(oneOfValues(['a', 'b'] as const)), { type: ['string', 'null'], enum: ['a', 'b', null] });
    assert.deepEqual(nullable({ type: 'integer', minimum: 0 }), { type: ['integer', 'null'], minimum: 0 });
  });
});
