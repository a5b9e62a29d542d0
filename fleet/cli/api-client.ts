import { CliError, EXIT, NOT_SIGNED_IN_HINT } from './cli-error.ts';

export type Query = Record<string, string | number | boolean | undefined | null>;

/** How a request proves who it is: an API token, or the session cookie + CSRF value of a fresh sign-in. */
export type ApiAuth = { token: string } | { cookie: string; csrf: string } | null;

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

/**
 * The operations API (docs/api.md) as fleetctl calls it: JSON in and out, and every refusal turned into a
 * {@link CliError} that carries the API's code, so `fleetctl` prints `error NOT_AUTHORIZED: ...` and exits 1 (3 when
 * the caller is not signed in).
 */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly auth: ApiAuth,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  patch<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>('PATCH', path, { body, query });
  }

  put<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>('PUT', path, { body, query });
  }

  /** A body that is not JSON (a CSV import), sent as is with its content type. */
  postText<T>(path: string, text: string, contentType: string, query?: Query): Promise<T> {
    return this.request<T>('POST', path, { text: { body: text, contentType }, query });
  }

  /**
   * A file streamed as the raw body (a content upload), never read whole into memory; `onProgress` hears the bytes
   * handed to the connection so far, `onSent` when the last one was.
   */
  async upload<T>(
    path: string,
    file: { path: string; size: number; contentType: string },
    query: Query,
    onProgress: (sent: number, total: number) => void,
    onSent: () => void,
  ): Promise<T> {
    const { createReadStream } = await import('node:fs');
    const { Readable } = await import('node:stream');
    let sent = 0;
    // The server may answer before the body is all sent (413 AUDIO_TOO_LARGE): no progress is reported after that.
    let answered = false;
    const counted = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        if (!answered) onProgress(sent, file.size);
        controller.enqueue(chunk);
      },
      flush() {
        if (!answered) onSent();
      },
    });
    const source = createReadStream(file.path);
    const body = (Readable.toWeb(source) as ReadableStream<Uint8Array>).pipeThrough(counted);
    try {
      return await this.request<T>('POST', path, {
        query,
        stream: { body, contentType: file.contentType, length: file.size },
      });
    } finally {
      answered = true;
      source.destroy();
    }
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path, {});
  }

  /** The raw response as well, for sign-in (which needs the Set-Cookie header). */
  async request<T>(
    method: string,
    path: string,
    options: {
      query?: Query | undefined;
      body?: unknown;
      text?: { body: string; contentType: string };
      stream?: { body: ReadableStream<Uint8Array>; contentType: string; length: number };
    },
    onResponse?: (response: Response) => void,
  ): Promise<T> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'fleetctl' };
    if (this.auth && 'token' in this.auth) headers.authorization = `Bearer ${this.auth.token}`;
    if (this.auth && 'cookie' in this.auth) {
      headers.cookie = this.auth.cookie;
      headers['x-cf-csrf'] = this.auth.csrf;
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.text !== undefined) headers['content-type'] = options.text.contentType;
    if (options.stream !== undefined) {
      headers['content-type'] = options.stream.contentType;
      headers['content-length'] = String(options.stream.length);
    }
    const body =
      options.stream !== undefined
        ? options.stream.body
        : options.text !== undefined
          ? options.text.body
          : options.body !== undefined
            ? JSON.stringify(options.body)
            : undefined;
    let response: Response;
    try {
      // A streamed body needs `duplex: 'half'` (fetch's rule for a ReadableStream body).
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(options.stream !== undefined ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        EXIT.failed,
        'SERVER_UNREACHABLE',
        `cannot reach ${this.server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        { hint: 'check the address (`fleetctl login --server URL`, or FLEETCTL_SERVER) and that the fleet is running' },
      );
    }
    onResponse?.(response);
    const text = await response.text();
    if (!response.ok) throw apiError(response.status, text);
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(EXIT.failed, 'BAD_RESPONSE', `${method} ${path} answered something that is not JSON`, {
        hint: `is ${this.server} a Cartfleet server?`,
      });
    }
  }
}

function apiError(status: number, text: string): CliError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // not JSON (a proxy's error page): report the status
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${status}`;
  const message = typeof body.message === 'string' ? body.message : `the server answered ${status}`;
  const details = validationDetails(body.details);
  if (code === 'NOT_AUTHENTICATED') {
    return new CliError(EXIT.notSignedIn, code, `${message} (the token was refused: expired or deleted?)`, {
      hint: NOT_SIGNED_IN_HINT,
      details,
    });
  }
  const hint =
    code === 'PASSWORD_CHANGE_REQUIRED'
      ? 'run `fleetctl password` to choose your own password'
      : code === 'LOGIN_THROTTLED'
        ? 'too many failed sign-ins: wait, then try again'
        : undefined;
  return new CliError(EXIT.failed, code, message, { ...(hint ? { hint } : {}), details, answer: body.details });
}

/** `400 BAD_REQUEST` lists the failing fields; everything else's details are printed only with --json (raw). */
function validationDetails(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.map((d: { path?: string; message?: string; in?: string } | string) =>
    typeof d === 'string' ? d : `${d.in ?? ''}${d.path ?? ''}: ${d.message ?? ''}`.trim(),
  );
}
