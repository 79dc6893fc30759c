/**
 * The console's one way to the REST API: the key entered once is kept in sessionStorage (gone when
 * the tab closes) and sent as `Authorization: Bearer …` on every call; an error body
 * ({ code, message, details.issues }) becomes an ApiError; a 401 signs the session out.
 */

export interface Whoami {
  kind: 'admin' | 'tenant';
  tenant: string | null;
  key_id: string;
  scopes: string[];
}

export interface Issue {
  path: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly issues: Issue[] = []) {
    super(message);
  }
}

const STORAGE_KEY = 'almanac.console.key';
/** Fired on window when the key is dropped (sign-out or a 401). */
export const SIGNED_OUT = 'almanac:signed-out';

export const session = {
  key(): string | null {
    return sessionStorage.getItem(STORAGE_KEY);
  },
  save(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key);
  },
  clear(): void {
    sessionStorage.removeItem(STORAGE_KEY);
    window.dispatchEvent(new Event(SIGNED_OUT));
  },
};

/** GET or POST a JSON route with the session's key. @throws ApiError */
export async function api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; key?: string } = {}): Promise<T> {
  const key = init.key ?? session.key();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `the server did not answer (${(e as Error).message})`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'NOT_JSON', `${path} answered ${res.status} with a body that is not JSON`);
  }
  if (!res.ok) {
    const body = (json ?? {}) as { code?: string; message?: string; details?: { issues?: Issue[] } };
    if (res.status === 401 && init.key === undefined) session.clear();
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? `${path} answered ${res.status}`, body.details?.issues ?? []);
  }
  return json as T;
}

/** A query string from the set fields (undefined and '' are left out). */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
