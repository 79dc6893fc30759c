import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldIssues, parseOrThrow, shownValue } from '../../core/validation.ts';

const schema = z.strictObject({
  channel: z.enum(['email', 'sms']),
  budget: z.number().min(0),
  name: z.string(),
  tags: z.array(z.string()),
  when: z.string().refine((v) => v.startsWith('20'), { message: 'expected a year such as 2024, got something else' }),
});

describe('validation reasons', () => {
  it('say what is expected and show the value received, trimmed', () => {
    const input = { channel: 'fax', budget: -3, name: 5, tags: 'x'.repeat(200), when: '19', extra: 1 };
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    const byPath = Object.fromEntries(fieldIssues(result.error!, '', input).map((i) => [i.path, i.reason]));
    expect(byPath.channel).toBe('Invalid option: expected one of "email"|"sms", got "fax"');
    expect(byPath.budget).toBe('Too small: expected number to be >=0, got -3');
    expect(byPath.name).toBe('Invalid input: expected string, got 5'); // the value replaces zod's "received number"
    expect(byPath.tags).toBe(`Invalid input: expected array, got ${shownValue('x'.repeat(200))}`);
    expect(shownValue('x'.repeat(200))).toHaveLength(60);
    expect(byPath.when).toBe('expected a year such as 2024, got something else'); // a reason that already shows it is kept
    expect(byPath.extra).toBe("unknown field 'extra'");
  });

  it('a missing field says so; without the input the reasons are zod\'s own', () => {
    const input = { channel: 'sms', budget: 1, tags: [], when: '2024' };
    const result = schema.safeParse(input);
    expect(fieldIssues(result.error!, 'body', input)).toEqual([{ path: 'body.name', reason: 'Invalid input: expected string, got nothing (missing)' }]);
    expect(fieldIssues(result.error!)).toEqual([{ path: 'name', reason: 'Invalid input: expected string, received undefined' }]);
    expect(() => parseOrThrow(schema, input, 'plan')).toThrow("invalid plan: name: Invalid input: expected string, got nothing (missing)");
  });
});
