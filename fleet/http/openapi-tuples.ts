/**
 * OpenAPI 3.0 has no tuples: its `items` is one schema, while the contract (draft-07, which Ajv and
 * fast-json-stringify read) writes `[x, y]` points and `[ts, avg, min, max]` series as `items: [...]`. For the
 * published document only, a tuple becomes an array of `anyOf` its members with the same length bounds; the route
 * schemas themselves are not touched (this returns a copy).
 */
export function tuplesForOpenApi30<T>(document: T): T {
  return convert(document) as T;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'additionalItems' && Array.isArray((value as { items?: unknown }).items)) continue;
    if (key === 'items' && Array.isArray(child)) {
      const members = [...new Map(child.map((m) => [JSON.stringify(m), convert(m)])).values()];
      out.items = members.length === 1 ? members[0] : { anyOf: members };
      continue;
    }
    out[key] = convert(child);
  }
  return out;
}
