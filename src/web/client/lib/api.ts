/**
 * The API client: JSON over fetch to /api/v1 with the session's bearer token. Every failure becomes an ApiError:
 * the server's `{ error: { code, message, details } }` when it answered, or the code NETWORK when it could not be
 * reached (the offline queue keys on that). A 401 ends the session on this device (onUnauthenticated). Every request
 * names the reader's chosen language in Accept-Language, so that the API orders names as that reader reads them
 * (Қ after К in Kazakh, not after Я).
 */
import { currentLang } from '../i18n';

export const API_BASE = '/api/v1';

export interface FieldError {
  /** Joi's path, as the API names it: "lines[2].quantity", "email". */
  field: string;
  message: string;
  type: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: unknown = {},
  ) {
    super(message);
  }

  /** The per-field errors of a VALIDATION answer (none for other codes). */
  get fieldErrors(): FieldError[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is FieldError => typeof d === 'object' && d !== null && typeof (d as FieldError).field === 'string',
    );
  }

  get isNetwork(): boolean {
    return this.code === 'NETWORK';
  }
}

export interface Page<T> {
  data: T[];
  page: { limit: number; offset: number; total: number };
}

const TOKEN_KEY = 'asar.session';

export interface StoredSession {
  token: string;
  expiresAt: string;
}

export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(TOKEN_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as StoredSession;
    return new Date(session.expiresAt).getTime() > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function storeSession(session: StoredSession | null): void {
  if (session) localStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  else localStorage.removeItem(TOKEN_KEY);
}

let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ''}`;
}

async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept, 'accept-language': currentLang() };
  const session = loadSession();
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('NETWORK', 'The server could not be reached', 0);
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: unknown };
  } | null;
  const error = new ApiError(
    body?.error?.code ?? (response.status >= 500 ? 'INTERNAL' : 'UNPROCESSABLE'),
    body?.error?.message ?? response.statusText,
    response.status,
    body?.error?.details,
  );
  if (response.status === 401 && session) onUnauthenticated();
  throw error;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options, 'application/json');
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function apiBlob(path: string, options: RequestOptions = {}): Promise<Blob> {
  const response = await send(path, options, 'application/pdf');
  return response.blob();
}

/**
 * A fresh Idempotency-Key: the same key is sent again on every retry of one operation. getRandomValues, not
 * randomUUID: an office may serve Asar over plain HTTP on its network, where randomUUID does not exist.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
