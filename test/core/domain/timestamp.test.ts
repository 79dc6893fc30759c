import { describe, expect, it } from 'vitest';
import { shownValue, timestampSchema } from '../../../core/domain/timestamp.ts';

const message = (v: unknown) => {
  const r = timestampSchema.safeParse(v);
  return r.success ? undefined : r.error.issues[0]?.message;
};

describe('timestampSchema: what it takes, and errors that say what is expected and what came', () => {
  it('takes an ISO 8601 date-time with a zone, a plain date (midnight UTC) and epoch ms', () => {
    expect(timestampSchema.parse('2024-03-01T10:00:00Z')).toBe(Date.UTC(2024, 2, 1, 10));
    expect(timestampSchema.parse('2024-03-01T10:00:00+02:00')).toBe(Date.UTC(2024, 2, 1, 8));
    expect(timestampSchema.parse('2024-03-01')).toBe(Date.UTC(2024, 2, 1));
    expect(timestampSchema.parse('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(timestampSchema.parse(0)).toBe(0);
  });

  it('refuses anything else, naming the expected forms and the received value (trimmed)', () => {
    const expected = 'expected an ISO 8601 date-time such as 2024-03-01T00:00:00Z, a date such as 2024-03-01 (midnight UTC), or epoch ms';
    expect(message('2023-02-29')).toBe(`${expected}, got "2023-02-29"`);
    expect(message('2024-03-01T10:00:00')).toBe(`${expected}, got "2024-03-01T10:00:00"`);
    expect(message('tomorrow')).toBe(`${expected}, got "tomorrow"`);
    expect(message(true)).toBe(`${expected}, got true`);
    expect(message(null)).toBe(`${expected}, got null`);
    expect(message(-1)).toBe('expected epoch milliseconds (an integer from 0 to 8640000000000000), got -1');
    expect(message(1.5)).toBe('expected epoch milliseconds (an integer from 0 to 8640000000000000), got 1.5');
    expect(message('x'.repeat(100))).toBe(`${expected}, got "${'x'.repeat(36)}…`);
    expect(shownValue(undefined)).toBe('nothing');
  });
});
