/**
 * The member app's HTTP client: JSON to and from `/api/member-app`, the `cf_member` cookie (the browser sends it
 * there and nowhere else), and the CSRF value from sign-in on every POST. Apart from the console's client on
 * purpose: the two never share a session.
 */
export class MemberApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait, for LOGIN_THROTTLED. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'MemberApiError';
  }
}

let csrf: string | null = null;

export function setMemberCsrf(value: string | null): void {
  csrf = value;
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST' && csrf) headers['x-cf-csrf'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/member-app${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new MemberApiError(0, 'NETWORK', (err as Error).message);
  }
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => undefined)) as { code?: string; message?: string } | undefined;
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    throw new MemberApiError(
      res.status,
      json?.code ?? `HTTP_${res.status}`,
      json?.message ?? res.statusText,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
  return json as T;
}

export const memberApi = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
};
