import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ISO_TIMESTAMP, fastPredictTouch } from '../../../serving/schemas/predict-fast-path.ts';
import { predictRequestSchema } from '../../../serving/schemas/predict-schema.ts';

const touch = { client_id: 'c1', campaign_id: 'k1', ts: '2024-01-21T23:59:29.113Z', audience: { segment: 'students', age_band: '18-24', vip: true, n: 3, x: null }, attributes: { offer: 'a', n: 1.5, b: false, z: null } };
const VALID: unknown[] = [
  { touch },
  { touch: { audience: { device: 'm', segment: 's' }, attributes: { z: 1, a: null }, ts: '2024-01-01T00:00:00+02:00', campaign_id: 'k', client_id: 'c' } },
  { touch: { client_id: 'c', campaign_id: 'k', audience: { segment: 's' } } },
  { touch: { ...touch, ts: 1_700_000_000_000, channel: 'email' } },
  { touch: { ...touch, ts: 0, attributes: {} } },
];
const INVALID: unknown[] = [
  null, [], 'x', {}, { touch: null }, { touch, extra: 1 }, { touch, plan: {} }, { touch: { ...touch, extra: 1 } },
  { touch: { ...touch, client_id: '' } }, { touch: { ...touch, client_id: 'a b' } }, { touch: { ...touch, campaign_id: 'x'.repeat(257) } },
  { touch: { ...touch, client_id: 5 } }, { touch: { ...touch, channel: 'pigeon' } }, { touch: { ...touch, ts: -1 } }, { touch: { ...touch, ts: 1.5 } },
  { touch: { ...touch, ts: 9e15 } }, { touch: { ...touch, ts: '2024-13-01T00:00:00Z' } }, { touch: { ...touch, ts: 'soon' } },
  { touch: { ...touch, audience: { age: 3 } } }, { touch: { ...touch, audience: { segment: '' } } }, { touch: { ...touch, audience: { segment: 's', o: {} } } },
  { touch: { ...touch, audience: { segment: 's', l: 'x'.repeat(257) } } }, { touch: { ...touch, audience: [] } },
  { touch: { ...touch, attributes: { '1bad': 1 } } }, { touch: { ...touch, attributes: { 'a-b': 1 } } }, { touch: { ...touch, attributes: { a: [1] } } },
  { touch: { ...touch, attributes: { ['k'.repeat(65)]: 1 } } }, { touch: { ...touch, attributes: null } }, { plan: {} },
];

describe('fastPredictTouch', () => {
  it.each(VALID.map((v) => [JSON.stringify(v), v]))('returns what zod returns, in the same key order: %s', (_s, body) => {
    const expected = predictRequestSchema.parse(body);
    const fast = fastPredictTouch(JSON.parse(JSON.stringify(body)));
    expect(fast).toEqual(expected);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(expected)); // the result-cache key hashes this text
  });

  it.each(INVALID.map((v) => [JSON.stringify(v), v]))('leaves bodies zod rejects (or plans) to zod: %s', (_s, body) => {
    expect(fastPredictTouch(body)).toBeUndefined();
    const isPlan = typeof body === 'object' && body !== null && 'plan' in body && !('touch' in body);
    if (!isPlan) expect(predictRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('plain dates', () => {
  it('the fast path leaves a plain date to zod, which takes it as midnight UTC (issue 14: a date where a date is meant)', () => {
    const body = { touch: { client_id: 'c1', campaign_id: 'k1', ts: '2024-03-01', audience: { segment: 's' } } };
    expect(fastPredictTouch(body)).toBeUndefined();
    const parsed = predictRequestSchema.safeParse(body);
    expect(parsed.success && 'touch' in parsed.data ? parsed.data.touch?.ts : undefined).toBe(Date.UTC(2024, 2, 1));
    const bad = predictRequestSchema.safeParse({ touch: { ...body.touch, ts: '2024-02-30' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('expected an ISO 8601 date-time such as 2024-03-01T00:00:00Z, a date such as 2024-03-01 (midnight UTC), or epoch ms, got "2024-02-30"');
  });
});

describe('fastPredictTouch timestamps', () => {
  const TS = [
    '2024-01-21T23:59:29.113Z', '2024-01-21T23:59:29Z', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2000-02-29T12:00:00Z', '1900-02-29T12:00:00Z',
    '2024-04-31T00:00:00Z', '2024-12-31T23:59:59.999999999Z', '2024-01-01T00:00:00+02:00', '2024-01-01T00:00:00-11:30', '2024-01-01T00:00:00+24:00',
    '2024-01-01T24:00:00Z', '2024-01-01T00:60:00Z', '2024-01-01T00:00:60Z', '2024-01-01T00:00Z', '2024-01-01T00:00:00', '2024-01-01T00:00:00z',
    '2024-01-01 00:00:00Z', '2024-01-01T00:00:00.Z', '0000-01-01T00:00:00Z', ' 2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z ', '+002024-01-01T00:00:00Z',
    '2024-1-01T00:00:00Z', '', 'T', '2024-01-01T00:00:00+0200',
  ];
  it('checks ISO strings with the very pattern zod uses for timestampSchema', () => {
    const zodPattern = (z.iso.datetime({ offset: true }) as unknown as { _zod: { def: { pattern: RegExp } } })._zod.def.pattern;
    expect(ISO_TIMESTAMP.source).toBe(zodPattern.source);
    expect(ISO_TIMESTAMP.flags).toBe(zodPattern.flags);
  });
  it.each(TS)('accepts and converts %j exactly as zod does (or leaves it to zod)', (ts) => {
    const body = { touch: { client_id: 'c', campaign_id: 'k', ts, audience: { segment: 's' } } };
    const expected = predictRequestSchema.safeParse(body);
    const fast = fastPredictTouch(JSON.parse(JSON.stringify(body)));
    if (expected.success) expect(fast).toEqual(expected.data);
    else expect(fast).toBeUndefined();
  });
});
