/** The browser's HTTP client for the operations API: JSON in and out, the session cookie, the CSRF header. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

let csrfToken: string | null = null;
const unauthenticatedListeners = new Set<(code: string) => void>();

export function setCsrf(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401 or 403 PASSWORD_CHANGE_REQUIRED, so the shell can route to login. */
export function onSessionLost(listener: (code: string) => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-cf-csrf'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path + queryString(query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `The fleet server cannot be reached (${(err as Error).message}).`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string; details?: unknown };
    const code = e.code ?? `HTTP_${res.status}`;
    const error = new ApiError(res.status, code, e.message ?? res.statusText, e.details);
    const isAuthRoute = path.startsWith('/api/auth/login') || path.startsWith('/api/auth/password');
    if (!isAuthRoute && (res.status === 401 || code === 'PASSWORD_CHANGE_REQUIRED')) {
      for (const listener of unauthenticatedListeners) listener(code);
    }
    throw error;
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown, query?: Query) => request<T>('PATCH', path, body, query),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** A readable sentence for an error, for toasts and inline messages. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'NOT_AUTHORIZED':
        return 'Your role does not allow this action.';
      case 'CSRF_MISSING':
        return 'Your session is out of date. Reload the page and try again.';
      case 'DEVICE_OFFLINE':
        return 'The device is offline. Queue the command or try again when it is back.';
      case 'SHADOW_VERSION_CONFLICT':
        return 'Someone else changed this device meanwhile. The latest state is shown; try again.';
      case 'NETWORK':
        return err.message;
      default:
        return err.message || err.code;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export const enc = encodeURIComponent;

/**
 * POSTs a file (its text or the File itself) with upload progress (fetch reports none): XMLHttpRequest, same cookie
 * and CSRF header as `api`. `onProgress(1)` comes when the last byte is sent, before the answer (the server may work
 * on it a while: audio is normalised). Resolves with the JSON answer; rejects with an ApiError carrying the answer's
 * code and details.
 */
export function upload<T>(
  path: string,
  body: string | Blob,
  contentType: string,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-cf-csrf', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The fleet server cannot be reached.'));
    xhr.onload = () => {
      onProgress(1);
      let json: { code?: string; message?: string; details?: unknown } | undefined;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        json = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as T);
      else reject(new ApiError(xhr.status, json?.code ?? `HTTP_${xhr.status}`, json?.message ?? '', json?.details));
    };
    xhr.send(body);
  });
}
