import { describe, expect, it } from 'vitest';
import { fastPredictTouch } from '../../../serving/schemas/predict-fast-path.ts';
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
  { touch: { ...touch, ts: 9e15 } }, { touch: { ...touch, ts: '2024-01-01' } }, { touch: { ...touch, ts: '2024-13-01T00:00:00Z' } }, { touch: { ...touch, ts: 'soon' } },
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
