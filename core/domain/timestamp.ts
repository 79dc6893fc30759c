import { z } from 'zod';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const isoDateTime = z.iso.datetime({ offset: true });
/** The latest instant JavaScript dates represent (epoch ms). */
const MAX_EPOCH_MS = 8.64e15;
export const TIMESTAMP_EXPECTED = 'an ISO 8601 date-time such as 2024-03-01T00:00:00Z, a date such as 2024-03-01 (midnight UTC), or epoch ms';

/** A received value as an error shows it: JSON, trimmed to 40 characters. */
export function shownValue(v: unknown): string {
  const text = v === undefined ? 'nothing' : typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/**
 * Epoch milliseconds. Accepts an ISO 8601 date-time with a zone, a plain date (YYYY-MM-DD, midnight
 * UTC) or an integer of epoch ms; outputs epoch ms. A bad value says what is expected and what came.
 */
export const timestampSchema = z
  .union([z.number(), z.string()], { error: (issue) => `expected ${TIMESTAMP_EXPECTED}, got ${shownValue(issue.input)}` })
  .transform((v, ctx): number => {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0 && v <= MAX_EPOCH_MS) return v;
      ctx.addIssue({ code: 'custom', message: `expected epoch milliseconds (an integer from 0 to ${MAX_EPOCH_MS}), got ${shownValue(v)}` });
      return z.NEVER;
    }
    const date = DATE_ONLY.exec(v);
    if (date) {
      const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
      if (new Date(ms).toISOString().slice(0, 10) === v) return ms;
    } else if (isoDateTime.safeParse(v).success) {
      return Date.parse(v);
    }
    ctx.addIssue({ code: 'custom', message: `expected ${TIMESTAMP_EXPECTED}, got ${shownValue(v)}` });
    return z.NEVER;
  });

/**
 * A UTF-16 surrogate not paired with its other half (e.g. JSON `"\\ud800"`). It has no UTF-8 form:
 * stored, it would become U+FFFD, so the id read back after a restart would differ from the id
 * deduplicated against, and distinct ids would collide. Refused at the edge instead of normalised.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_REASON = 'must be valid Unicode text: it contains a lone UTF-16 surrogate (e.g. \\ud800), which cannot be stored';
export const isWellFormedText = (s: string): boolean => !LONE_SURROGATE.test(s);

export const stableId = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .regex(/^[^\s]+$/, 'must not contain whitespace')
  .refine(isWellFormedText, LONE_SURROGATE_REASON);

/** Free attributes: flat map of scalar values (creative, offer, age band, …). */
export const attributesSchema = z.record(
  z.string().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'attribute names are identifiers ([A-Za-z_][A-Za-z0-9_]*)'),
  z.union([z.string().max(256).refine(isWellFormedText, LONE_SURROGATE_REASON), z.number().refine(Number.isFinite, 'must be finite'), z.boolean(), z.null()]),
);

export type Attributes = z.output<typeof attributesSchema>;
