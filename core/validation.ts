import type { z } from 'zod';
import { invalidInput, type FieldIssue } from './errors.ts';

/** Converts zod issues to `{path, reason}` pairs with dotted paths (`audience.age`). */
export function fieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [prefix, ...issue.path.map(String)].filter((p) => p !== '');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), reason: `unknown field '${key}'` }));
    }
    const path = base.join('.');
    return [{ path: path === '' ? '(root)' : path, reason: issue.message }];
  });
}

/**
 * Parses `value` with `schema` or throws ALMANAC_ERR_INPUT_INVALID naming each field and reason.
 * @param what - what is being validated, for the message (`"touch event"`, `"config"`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error, prefix);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.reason}` : 'invalid';
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
  throw invalidInput(`invalid ${what}: ${summary}${more}`, issues);
}
