import assert from 'node:assert/strict';
import { tuplesForOpenApi30 } from '../../../fleet/http/openapi-tuples.ts';

describe('tuplesForOpenApi30', () => {
  it('turns draft-07 tuples into OpenAPI 3.0 arrays, and leaves the route schema as it was', () => {
    const route = {
      type: 'array',
      items: [{ type: 'integer' }, { type: 'number' }, { type: 'number' }],
      minItems: 3,
      maxItems: 3,
      additionalItems: false,
    };
    const before = structuredClone(route);
    assert.deepEqual(tuplesForOpenApi30({ paths: { '/x': { schema: route } } }), {
      paths: {
        '/x': {
          schema: {
            type: 'array',
            items: { anyOf: [{ type: 'integer' }, { type: 'number' }] },
            minItems: 3,
            maxItems: 3,
          },
        },
      },
    });
    assert.deepEqual(route, before);
    assert.deepEqual(tuplesForOpenApi30({ items: [{ type: 'number' }, { type: 'number' }] }), {
      items: { type: 'number' },
    });
    assert.deepEqual(tuplesForOpenApi30({ items: { type: 'string' } }), { items: { type: 'string' } });
  });
});
