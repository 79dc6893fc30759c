/**
 * Query-string and path fields of the console's GET routes, as zod schemas whose failures say what
 * is expected and show what came (`limit: expected an integer from 1 to 200, got "abc"`). Query
 * values arrive as strings; these coerce them.
 */
import { z } from 'zod';
import { shownValue } from '../../core/domain/timestamp.ts';

/** An integer in [min, max] from a query string (a number is taken too); `fallback` when absent. */
export function queryInt(min: number, max: number, fallback: number) {
  const expected = `expected an integer from ${min} to ${max}`;
  return z
    .union([z.string(), z.number()], { error: (issue) => `${expected}, got ${shownValue(issue.input)}` })
    .optional()
    .transform((v, ctx): number => {
      if (v === undefined || v === '') return fallback;
      const n = typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
      if (Number.isInteger(n) && n >= min && n <= max) return n;
      ctx.addIssue({ code: 'custom', message: `${expected}, got ${shownValue(v)}` });
      return z.NEVER;
    });
}

/** One of `values`. */
export function queryEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => `expected one of ${values.map((v) => `'${v}'`).join(', ')}, got ${shownValue(issue.input)}` });
}

/** A non-empty text of at most `max` characters. */
export function queryText(max = 200) {
  return z.string({ error: (issue) => `expected a text of 1 to ${max} characters, got ${shownValue(issue.input)}` })
    .min(1, { error: (issue) => `expected a text of 1 to ${max} characters, got ${shownValue(issue.input)}` })
    .max(max, { error: (issue) => `expected a text of 1 to ${max} characters, got ${shownValue(issue.input)}` });
}

/** A boolean in a JSON body. */
export const bodyBoolean = z.boolean({ error: (issue) => `expected true or false, got ${shownValue(issue.input)}` });
