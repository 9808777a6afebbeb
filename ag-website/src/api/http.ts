/**
 * The one HTTP client. Only src/api/<domain>.ts modules import it; pages and components
 * reach the API through them (usually via a composable).
 *
 * The browser is logged in with a session cookie; every unsafe request carries the CSRF
 * token Django set in the `csrftoken` cookie (GET /api/auth/csrf/ sets it).
 */

export const API_ROOT = '/api/';

export type FieldErrors = Record<string, string[]>;

/** An API failure in the server's shape `{code, message, fields}`, or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;

  constructor(status: number, code: string, message: string, fields: FieldErrors = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  /** Reasons for one input field (`name`, `members`, ...), empty when it has none. */
  field(name: string): string[] {
    return this.fields[name] ?? [];
  }
}

/** Nested field errors (`{"file": {"4": ["..."]}}`) become `{"file": ["line 4: ..."]}`. */
export function flattenFieldErrors(raw: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    out[key] = reasons(value);
  }
  return out;
}

function reasons(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => reasons(item, prefix));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
      reasons(inner, `${prefix}${key}: `),
    );
  }
  return [`${prefix}${String(value)}`];
}

const STATUS_TEXT: Record<number, string> = {
  401: 'You are not logged in.',
  403: 'You do not have permission to do that.',
  404: 'Not found.',
  413: 'The upload is too large.',
  500: 'The server had an internal error. Please try again or contact course staff.',
  502: 'The server is not reachable right now. Please try again in a moment.',
  503: 'The server is not reachable right now. Please try again in a moment.',
};

export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (body !== null && typeof body === 'object' && 'message' in body) {
    const data = body as { code?: unknown; message?: unknown; fields?: unknown };
    return new ApiError(
      response.status,
      typeof data.code === 'string' ? data.code : 'error',
      String(data.message),
      flattenFieldErrors(data.fields),
    );
  }
  const text = STATUS_TEXT[response.status] ?? `The request failed (HTTP ${response.status}).`;
  return new ApiError(response.status, 'http_error', text);
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

let csrfPromise: Promise<void> | null = null;

async function ensureCsrf(): Promise<string> {
  const existing = readCookie('csrftoken');
  if (existing) return existing;
  csrfPromise ??= fetch(`${API_ROOT}auth/csrf/`, { credentials: 'same-origin' }).then(() => {
    csrfPromise = null;
  });
  await csrfPromise;
  return readCookie('csrftoken') ?? '';
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API_ROOT}${path}${qs ? `?${qs}` : ''}`;
}

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** Extra request headers (e.g. `Last-Event-ID`). */
  headers?: Record<string, string>;
}

/** Calls the API and returns the raw response when it is a success; throws ApiError otherwise. */
export async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRFToken'] = await ensureCsrf();
  let body: BodyInit | undefined;
  if (options.form) {
    body = options.form;
  } else if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> =>
  request<T>('GET', path, { query, signal });
export const post = <T>(path: string, json?: unknown): Promise<T> => request<T>('POST', path, { json });
export const patch = <T>(path: string, json: unknown): Promise<T> => request<T>('PATCH', path, { json });
export const put = <T>(path: string, json: unknown): Promise<T> => request<T>('PUT', path, { json });
export const del = (path: string, json?: unknown): Promise<void> => request<void>('DELETE', path, { json });
export const postForm = <T>(path: string, form: FormData): Promise<T> => request<T>('POST', path, { form });
export const putForm = <T>(path: string, form: FormData): Promise<T> => request<T>('PUT', path, { form });

export interface Page<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

/** Every item of a paginated list (lists here are course-sized, so a few pages at most). */
export async function getAll<T>(path: string, query: Query = {}): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page += 1) {
    const data = await get<Page<T>>(path, { ...query, page, page_size: 500 });
    items.push(...data.results);
    if (!data.next) return items;
  }
}

/** Uploads with progress (fetch has no upload progress), same error handling as `send`. */
export async function uploadWithProgress<T>(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
): Promise<T> {
  const token = await ensureCsrf();
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path));
    xhr.setRequestHeader('X-CSRFToken', token);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.'));
    xhr.onload = () => {
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, {
        status: xhr.status,
        headers: { 'Content-Type': xhr.getResponseHeader('Content-Type') ?? 'application/json' },
      });
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(JSON.parse(xhr.responseText) as T);
      } else {
        errorFromResponse(response).then(reject, reject);
      }
    };
    xhr.send(form);
  });
}
