/**
 * A precompiled check of the common POST /v1/predict body (`{touch: {...}}`) that returns exactly
 * what predictRequestSchema would (same values, same key order), or undefined when the body is
 * anything else — invalid, a plan, or merely unusual — and zod must decide (and name the field in
 * its error). zod stays the definition; test/serving/predict-fast-path.test.ts checks both agree.
 */
import { z } from 'zod';
import { CHANNELS } from '../../core/domain/campaign.ts';
import type { PredictRequest } from './predict-schema.ts';

type Scalar = string | number | boolean | null;
type Plain = Record<string, unknown>;

const TOUCH_KEYS = new Set(['client_id', 'campaign_id', 'ts', 'channel', 'audience', 'attributes']);
const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);
const NO_SPACE = /^[^\s]+$/;
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * The pattern zod checks an ISO string of timestampSchema against (z.iso.datetime({offset: true})
 * builds it with this call); such a string parses to Date.parse(s), anything else is zod's to judge.
 */
export const ISO_TIMESTAMP = z.regexes.datetime({ offset: true });

const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const isStableId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 256 && NO_SPACE.test(v);
const isScalar = (v: unknown): v is Scalar =>
  v === null || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 256) || (typeof v === 'number' && Number.isFinite(v));

/** The timestamp as epoch ms, or undefined when zod must judge it. */
function timestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && v <= 8.64e15 ? v : undefined;
  return typeof v === 'string' && ISO_TIMESTAMP.test(v) ? Date.parse(v) : undefined;
}

/** A copy of `v` with segment first (as zod's catchall object emits it), or undefined. */
function audience(v: unknown): Record<string, Scalar> & { segment: string } | undefined {
  if (!isPlain(v)) return undefined;
  const segment = v.segment;
  if (typeof segment !== 'string' || segment.length < 1 || segment.length > 64) return undefined;
  const out: Record<string, Scalar> & { segment: string } = { segment };
  for (const k in v) {
    if (k === 'segment') continue;
    const x = v[k];
    if (k === '__proto__' || !isScalar(x)) return undefined;
    out[k] = x;
  }
  return out;
}

function attributes(v: unknown): Record<string, Scalar> | undefined {
  if (v === undefined) return {};
  if (!isPlain(v)) return undefined;
  const out: Record<string, Scalar> = {};
  for (const k in v) {
    const x = v[k];
    if (k.length > 64 || !ATTRIBUTE_NAME.test(k) || k === '__proto__' || !isScalar(x)) return undefined;
    out[k] = x;
  }
  return out;
}

/** The parsed `{touch}` body, or undefined to let zod parse (and explain) it. */
export function fastPredictTouch(body: unknown): PredictRequest | undefined {
  if (!isPlain(body)) return undefined;
  const t = body.touch;
  for (const k in body) if (k !== 'touch') return undefined;
  if (!isPlain(t)) return undefined;
  for (const k in t) if (!TOUCH_KEYS.has(k) || t[k] === undefined) return undefined;
  if ((t.client_id !== undefined && !isStableId(t.client_id)) || !isStableId(t.campaign_id)) return undefined;
  if (t.channel !== undefined && !(typeof t.channel === 'string' && CHANNEL_SET.has(t.channel))) return undefined;
  const ts = t.ts === undefined ? undefined : timestamp(t.ts);
  if (t.ts !== undefined && ts === undefined) return undefined;
  const aud = audience(t.audience);
  const attrs = attributes(t.attributes);
  if (!aud || !attrs) return undefined;
  const touch = (t.client_id === undefined ? { campaign_id: t.campaign_id } : { client_id: t.client_id, campaign_id: t.campaign_id }) as NonNullable<PredictRequest['touch']>;
  if (ts !== undefined) touch.ts = ts;
  if (t.channel !== undefined) touch.channel = t.channel as (typeof CHANNELS)[number];
  touch.audience = aud;
  touch.attributes = attrs;
  return { touch };
}
