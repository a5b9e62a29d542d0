import assert from 'node:assert/strict';
import { RequestValidators } from '../../../fleet/http/request-validator.ts';
import { integer, object } from '../../../protocol/api/json-schema.ts';

const query = object(
  {
    limit: integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: integer({ minimum: 0 }),
    battery: { type: 'number', minimum: 0, maximum: 100 },
    name: { type: 'string', maxLength: 8 },
  },
  { optional: ['limit', 'offset', 'battery', 'name'] },
);

describe('RequestValidators (query strings and path params)', () => {
  const validators = new RequestValidators();
  const check = (data: Record<string, unknown>) => {
    const validate = validators.compile(query, 'querystring');
    const ok = validate(data);
    return { ok, data, error: validate.errors?.[0] };
  };

  it('converts numbers written as numbers, fills defaults, leaves text alone', () => {
    const { ok, data } = check({ offset: '20', battery: '12.5', name: '42' });
    assert.equal(ok, true);
    assert.deepEqual(data, { offset: 20, battery: 12.5, name: '42', limit: 50 });
  });

  it('refuses what is not a finite number or a safe integer, naming the parameter', () => {
    for (const [key, value] of [
      ['limit', 'Infinity'],
      ['limit', '-1e309'],
      ['limit', '1e309'],
      ['limit', 'NaN'],
      ['limit', '1.5'],
      ['limit', '1e2'],
      ['limit', '0x10'],
      ['limit', ' 5'],
      ['offset', '123456789012345678901234567890'],
      ['battery', 'Infinity'],
      ['battery', '1e309'],
      ['battery', '-Infinity'],
    ] as const) {
      const { ok, error } = check({ [key]: value });
      assert.equal(ok, false, `${key}=${value}`);
      assert.equal(error?.instancePath, `/${key}`, `${key}=${value}`);
      assert.equal(error?.keyword, 'type', `${key}=${value}`);
    }
  });

  it('leaves bodies to JSON: no conversion, and non-finite numbers are refused', () => {
    const body = validators.compile(query, 'body');
    assert.equal(body({ limit: '5' }), false);
    assert.equal(body({ battery: Number.POSITIVE_INFINITY }), false);
    assert.equal(body({ limit: 5 }), true);
  });
});
