/**
 * The one door to the server (docs/api.md). Same origin only: relative URLs, cookies by the browser.
 * Every state-changing request carries the session's CSRF token; any 401 sends the user back to login.
 */
import type { Language, Session } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let currentCase: string | null = null;

/** The case the screens work on (from the URL, `#/c/<id>/…`); App sets it before they render. */
export function setCurrentCase(id: string | null): void {
  currentCase = id;
}

/** A case route of the current case: `caseApi('/overview')` is `/api/cases/<id>/overview`. */
export function caseApi(path: string): string {
  if (!currentCase) throw new Error('no case chosen');
  return `/api/cases/${encodeURIComponent(currentCase)}${path}`;
}
let unauthorized: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

async function failure(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { message?: string };
    if (body.message) message = body.message;
  } catch {
    // Not JSON (a proxy page, an empty body): the status line is all there is.
  }
  return new ApiError(res.status, message);
}

async function request(method: string, path: string, body?: unknown, isLogin = false): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (res.status === 401 && !isLogin) {
    csrfToken = null;
    unauthorized();
  }
  if (!res.ok) throw await failure(res);
  return res;
}

export async function getJson<T>(path: string, query?: Query): Promise<T> {
  return (await (await request('GET', withQuery(path, query))).json()) as T;
}

export async function send<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await request(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Sends a file's bytes as the body (an upload), with the session's CSRF token. */
export async function uploadFile<T>(path: string, file: Blob): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/octet-stream',
  };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method: 'POST', headers, body: file, credentials: 'same-origin' });
  if (res.status === 401) {
    csrfToken = null;
    unauthorized();
  }
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** A state-changing request whose answer is bytes (a revealed media item). */
export async function sendForBlob(path: string, body?: unknown): Promise<Blob> {
  return (await request('POST', path, body ?? {})).blob();
}

export async function login(username: string, password: string): Promise<Session> {
  const res = await request('POST', '/api/session', { username, password }, true);
  const s = (await res.json()) as Session;
  csrfToken = s.csrfToken;
  return s;
}

/** The current session, or null when not logged in (a 401 here is the normal "not yet" answer). */
export async function currentSession(): Promise<Session | null> {
  const res = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) return null;
  if (!res.ok) throw await failure(res);
  const s = (await res.json()) as Session;
  csrfToken = s.csrfToken;
  return s;
}

/** Stores the UI language with the user's account (it follows them to any machine); the session as it now is. */
export function saveLanguage(language: Language): Promise<Session> {
  return send<Session>('PUT', '/api/session/language', { language });
}

export async function logout(): Promise<void> {
  try {
    await request('DELETE', '/api/session');
  } finally {
    csrfToken = null;
  }
}

function filenameOf(res: Response, fallback: string): string {
  const cd = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

/**
 * Fetches a download and hands it to the browser as a file, so that a refusal (403, 501) is shown as a
 * message instead of being saved as a file named like the export.
 */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await request('GET', path);
  const name = filenameOf(res, fallbackName);
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has started the download synchronously; release the bytes on the next turn.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  return name;
}
