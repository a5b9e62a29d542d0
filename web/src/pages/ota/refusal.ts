/**
 * A coded refusal as the API client carries it (`ApiError`: code, message, details), read by its shape so the rules
 * that place refusals stay free of the browser's client (and are unit-tested under Node).
 */
export interface Refusal {
  code: string;
  message: string;
  details: unknown;
}

export function refusalOf(err: unknown): Refusal | null {
  if (!err || typeof err !== 'object') return null;
  const o = err as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof o.code !== 'string') return null;
  return { code: o.code, message: typeof o.message === 'string' ? o.message : '', details: o.details };
}

/**
 * The problems an answer lists in `details`, as sentences: strings or `{ field, message }` (ROLLOUT_INVALID,
 * RELEASE_INVALID, a maintenance window's cron), or `{ path, message }` from the schema check (BAD_REQUEST).
 */
export function detailProblems(err: unknown): string[] {
  const details = refusalOf(err)?.details;
  const list = Array.isArray(details)
    ? details
    : details && typeof details === 'object' && Array.isArray((details as { problems?: unknown }).problems)
      ? (details as { problems: unknown[] }).problems
      : [];
  return list.map((d) => {
    if (typeof d === 'string') return d;
    const o = (d ?? {}) as { field?: unknown; path?: unknown; message?: unknown };
    const where = typeof o.field === 'string' ? o.field : typeof o.path === 'string' ? o.path : '';
    const message = typeof o.message === 'string' ? o.message : JSON.stringify(d);
    return where && where !== '/' ? `${where}: ${message}` : message;
  });
}
