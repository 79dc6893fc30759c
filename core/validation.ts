import type { z } from 'zod';
import { invalidInput, type FieldIssue } from './errors.ts';

/**
 * Converts zod issues to `{path, reason}` pairs with dotted paths (`audience.age`). With `input`
 * (what was validated), each reason also shows the value received at its path, trimmed
 * (`Invalid option: expected one of "email"|"sms", got "fax"`), unless the reason already does.
 */
export function fieldIssues(error: z.ZodError, prefix = '', input?: unknown): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [prefix, ...issue.path.map(String)].filter((p) => p !== '');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), reason: `unknown field '${key}'` }));
    }
    const path = base.join('.');
    return [{ path: path === '' ? '(root)' : path, reason: input === undefined ? issue.message : withReceived(issue.message, issue.path, input) }];
  });
}

/** Longest received value shown in a reason (characters of its JSON). */
const SHOWN_VALUE_MAX = 60;

function withReceived(message: string, path: readonly PropertyKey[], input: unknown): string {
  if (/\bgot\b/.test(message)) return message;
  let at: unknown = input;
  for (const key of path) {
    const has = at !== null && typeof at === 'object' && Object.prototype.hasOwnProperty.call(at, key as PropertyKey);
    at = has ? (at as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  }
  // zod says the received type ("received string"); the value says more
  const received = /,? received \w+$/;
  if (at === undefined) return received.test(message) ? message.replace(received, ', got nothing (missing)') : `${message}, got nothing (missing)`;
  return received.test(message) ? message.replace(received, `, got ${shownValue(at)}`) : `${message}, got ${shownValue(at)}`;
}

/** A received value as JSON, trimmed: `"fax"`, `12`, `{…}` for a large object. */
export function shownValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > SHOWN_VALUE_MAX ? `${text.slice(0, SHOWN_VALUE_MAX - 1)}…` : text;
}

/**
 * Parses `value` with `schema` or throws ALMANAC_ERR_INPUT_INVALID naming each field and reason.
 * @param what - what is being validated, for the message (`"touch event"`, `"config"`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error, prefix, value);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.reason}` : 'invalid';
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
  throw invalidInput(`invalid ${what}: ${summary}${more}`, issues);
}
