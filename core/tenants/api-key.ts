/**
 * API keys: `alm_<id>_<secret>`, where `id` (12 hex) is public and used to look the key up and
 * `secret` is 32 random bytes (base64url). Only sha256(secret) is stored. A slow password hash
 * (bcrypt, argon2) buys nothing for a 256-bit random secret — nobody can enumerate 2^256 inputs,
 * fast or slow — and would cost milliseconds on every request; sha256 costs about a microsecond.
 * The stored and computed digests are compared with crypto.timingSafeEqual.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const TENANT_SCOPES = ['predict', 'search', 'events:write'] as const;
export const OPERATOR_SCOPES = ['admin', 'ingest'] as const;
export const SCOPES = [...TENANT_SCOPES, ...OPERATOR_SCOPES] as const;
export type Scope = (typeof SCOPES)[number];

export const apiKeyRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  /** hex sha256 of the secret. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The tenant of a tenant key; null for operator keys. */
  client_id: z.string().nullable(),
  /** The clients an `ingest` key may write events for. */
  clients: z.array(z.string()),
  scopes: z.array(z.enum(SCOPES)).min(1),
  name: z.string().max(128).optional(),
  created_at: z.number(),
  expires_at: z.number().nullable(),
  revoked_at: z.number().nullable(),
  last_used_at: z.number().nullable(),
});
export type ApiKeyRecord = z.output<typeof apiKeyRecordSchema>;

const SECRET_PATTERN = /^alm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewKey {
  /** The full secret, shown once: `alm_<id>_<secret>`. */
  secret: string;
  record: ApiKeyRecord;
}

export interface NewKeyOptions {
  client_id: string | null;
  clients?: string[];
  scopes: Scope[];
  name?: string;
  /** Epoch ms; null or absent = never expires. */
  expires_at?: number | null;
  now?: number;
}

/** Makes a new key (id + secret) and the record to store. */
export function newApiKey(options: NewKeyOptions): NewKey {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    id, hash: digest(secret), client_id: options.client_id, clients: options.clients ?? [], scopes: options.scopes,
    ...(options.name ? { name: options.name } : {}),
    created_at: options.now ?? Date.now(), expires_at: options.expires_at ?? null, revoked_at: null, last_used_at: null,
  };
  return { secret: `alm_${id}_${secret}`, record };
}

/** Splits a presented token into its id and secret; undefined when it is not of the key's shape. */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const m = SECRET_PATTERN.exec(token);
  return m ? { id: m[1] as string, secret: m[2] as string } : undefined;
}

/** Whether `secret` hashes to the stored digest (constant time in the digest). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(digest(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Why a stored key cannot be used now, or undefined when it can. */
export function keyUnusable(record: ApiKeyRecord, now: number): 'revoked' | 'expired' | undefined {
  if (record.revoked_at !== null && record.revoked_at <= now) return 'revoked';
  if (record.expires_at !== null && record.expires_at <= now) return 'expired';
  return undefined;
}
