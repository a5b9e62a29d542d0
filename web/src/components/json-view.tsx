import { json } from '../app/format.ts';

export function JsonView({ value, testId }: { value: unknown; testId?: string }) {
  const empty = value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0);
  return (
    <pre class={`json ${empty ? 'json-empty' : ''}`} data-testid={testId}>
      {empty ? '—' : json(value)}
    </pre>
  );
}
