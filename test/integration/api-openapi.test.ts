import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';

interface Parameter {
  in: 'query' | 'path';
  name: string;
  required?: boolean;
  schema: { type?: string | string[] };
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; description?: string }>;
}
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type OpenApi = { paths: Record<string, Partial<Record<Method, Operation>>> };

const THING = 'cart-openapi-1';
const STORE = 'hf-shanghai-xuhui';

/** Values a valid request would carry, for the parameters that are not under test. */
function validValue(p: Parameter): string | undefined {
  if (p.in === 'path') return p.name === 'thingName' ? THING : p.name === 'storeId' ? STORE : '1';
  if (p.name === 'metric') return 'battery.percent';
  return p.required ? 'x' : undefined;
}

const HOSTILE_NUMBERS = ['Infinity', '-Infinity', 'NaN', '1e309', '-1e309', '123456789012345678901234567890'];
const isInteger = (p: Parameter) => [p.schema.type].flat().includes('integer');
const isNumeric = (p: Parameter) => isInteger(p) || [p.schema.type].flat().includes('number');

/**
 * The OpenAPI document (generated from the route schemas) is the list of everything the API offers: every operation
 * declares what it answers, and every numeric query or path parameter refuses values that are not finite numbers, or
 * not safe integers, with 400 BAD_REQUEST naming the parameter, never a 500 from SQLite or the serializer.
 */
describe('the OpenAPI document and the routes behind it', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let token: string;
  let doc: OpenApi;

  const call = (method: Method, url: string) =>
    fleet.services.http.instance!.inject({
      method: method.toUpperCase() as 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(method === 'get' || method === 'delete' ? {} : { payload: {} }),
    });

  const operations = (): [string, Method, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]): [string, Method, Operation] => [path, method as Method, op]),
    );

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    token = (await apiUser(fleet, 'hq', 'hq-admin')).token;
    const registered = await fleet.services.http.instance!.inject({
      method: 'POST',
      url: '/api/devices',
      headers: { authorization: `Bearer ${token}` },
      payload: { thingName: THING, kind: 'cart', hardwareModel: 'SC-200', storeId: STORE },
    });
    assert.equal(registered.statusCode, 201, registered.body);
    const res = await fleet.services.http.instance!.inject({ url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json() as OpenApi;
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('declares a success answer with a schema, and the error body, for every operation', () => {
    const ops = operations();
    assert.ok(ops.length >= 37, `only ${ops.length} operations documented`);
    for (const [path, method, op] of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      assert.equal(success.length, 1, `${where}: one success answer`);
      const [status, answer] = success[0]!;
      if (status === '204') continue;
      const schemas = Object.values(answer.content ?? {}).map((c) => c.schema);
      assert.ok(schemas.length > 0 && schemas.every(Boolean), `${where}: ${status} has no schema`);
      const errors = op.responses['4XX'] ?? op.responses['4xx'];
      assert.ok(errors?.content?.['application/json']?.schema, `${where}: no error body`);
    }
  });

  it('docs/api.md names every operation', () => {
    const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const [path, method] of operations()) {
      const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
      assert.match(docs, new RegExp(`\`${route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\`?s]`), route);
    }
  });

  it('refuses non-finite and out-of-range numbers in every numeric query and path parameter (400 BAD_REQUEST)', async () => {
    let checked = 0;
    for (const [path, method, op] of operations()) {
      const params = op.parameters ?? [];
      for (const target of params.filter(isNumeric)) {
        const url = (value: string | undefined) => {
          let url = path;
          const query = new URLSearchParams();
          for (const p of params) {
            const v = p === target ? value : validValue(p);
            if (v === undefined) continue;
            if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(v));
            else query.set(p.name, v);
          }
          const q = query.toString();
          return q ? `${url}?${q}` : url;
        };
        const where = `${method.toUpperCase()} ${path} ${target.name}`;
        // Positive control: the same request with a good value gets past validation.
        const control = await call(method, url(target.in === 'path' ? '1' : undefined));
        assert.notEqual(control.json().code, 'BAD_REQUEST', `${where}: control ${control.body}`);
        assert.ok(control.statusCode < 500, `${where}: control ${control.body}`);
        const hostile = [...HOSTILE_NUMBERS, ...(isInteger(target) ? ['1.5'] : [])];
        for (const value of hostile) {
          const res = await call(method, url(value));
          assert.equal(res.statusCode, 400, `${where}=${value}: ${res.body}`);
          const body = res.json() as { code: string; details: { in: string; path: string }[] };
          assert.equal(body.code, 'BAD_REQUEST', `${where}=${value}`);
          assert.equal(body.details[0]?.in, target.in === 'path' ? 'params' : 'querystring', `${where}=${value}`);
          assert.equal(body.details[0]?.path, `/${target.name}`, `${where}=${value}`);
          checked++;
        }
      }
    }
    // 20 parameters today: limit/offset of the lists, from/to, buckets, the battery filters, the alert id of two routes.
    assert.ok(checked >= 138, `only ${checked} hostile requests`);
  });
});
