import { describe, expect, it } from 'vitest';
import {
  ENCODER_DIMS, IDENTITY_DIMS, LEARNED_DIMS, encodeConfiguration, encodeConfigurations, fitConfigurationEncoder, identityCode, type ConditionTally,
} from '../../../embeddings/patterns/configuration-encoder.ts';

const vocabulary: ConditionTally[] = [
  { key: 'channel', value: 'email', touches: 400, conversions: 40 },
  { key: 'channel', value: 'sms', touches: 300, conversions: 12 },
  { key: 'segment', value: 'loyal', touches: 200, conversions: 30 },
  { key: 'offer', value: 'discount', touches: 250, conversions: 20 },
];
const pair = (a: ConditionTally, b: ConditionTally) => ({ touches: Math.min(a.touches, b.touches) / 2, conversions: Math.min(a.conversions, b.conversions) / 3 });
const state = fitConfigurationEncoder(vocabulary, pair);

/** The definition: the normalised sum of each condition's identity code and half its learned part. */
function byDefinition(conditions: Record<string, string>): number[] {
  const v = new Array<number>(ENCODER_DIMS).fill(0);
  for (const [key, value] of Object.entries(conditions)) {
    const text = `${key}=${value}`;
    identityCode(text).forEach((x, d) => { v[d] = (v[d] as number) + x; });
    state.learned[text]?.forEach((x, d) => { v[IDENTITY_DIMS + d] = (v[IDENTITY_DIMS + d] as number) + 0.5 * x; });
  }
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return n > 0 ? v.map((x) => x / n) : v;
}

describe('configuration encoder', () => {
  it('encodes a configuration as the normalised sum of its conditions, the same on every call', () => {
    const plan = { channel: 'email', segment: 'loyal', offer: 'discount' };
    const first = encodeConfiguration(state, plan);
    expect(first).toHaveLength(ENCODER_DIMS);
    expect(first).toEqual(byDefinition(plan));
    expect(encodeConfiguration(state, plan)).toEqual(first); // the kept vocabulary vectors give the same values
    expect(first.slice(IDENTITY_DIMS).some((x) => x !== 0)).toBe(true);
    expect(Math.hypot(...first)).toBeCloseTo(1, 12);
  });

  it('codes a condition outside the vocabulary by its identity part only', () => {
    const plan = { channel: 'email', segment: 'unseen-segment' };
    expect(encodeConfiguration(state, plan)).toEqual(byDefinition(plan));
    const unknown = encodeConfiguration(state, { segment: 'unseen-segment' });
    expect(unknown.slice(IDENTITY_DIMS)).toEqual(new Array(LEARNED_DIMS).fill(0));
  });

  it('gives the zero vector for no conditions and averages several configurations', () => {
    expect(encodeConfiguration(state, {})).toEqual(new Array(ENCODER_DIMS).fill(0));
    const a = { channel: 'email', segment: 'loyal' };
    const b = { channel: 'sms', offer: 'discount' };
    const sum = encodeConfiguration(state, a).map((x, d) => x + (encodeConfiguration(state, b)[d] as number));
    const n = Math.hypot(...sum);
    encodeConfigurations(state, [a, b]).forEach((x, d) => expect(x).toBeCloseTo((sum[d] as number) / n, 12));
  });

  it('keeps two encoders apart: the same text under another fit gets that fit\'s learned part', () => {
    const other = fitConfigurationEncoder(vocabulary, pair, 99);
    const plan = { channel: 'email' };
    encodeConfiguration(state, plan);
    const v = encodeConfiguration(other, plan);
    const learned = other.learned['channel=email'] as number[];
    expect(v.slice(0, IDENTITY_DIMS)).toEqual(encodeConfiguration(state, plan).slice(0, IDENTITY_DIMS));
    expect(v.slice(IDENTITY_DIMS).every((x, d) => Math.sign(x) === Math.sign(learned[d] as number))).toBe(true);
    expect(v.slice(IDENTITY_DIMS)).not.toEqual(encodeConfiguration(state, plan).slice(IDENTITY_DIMS));
  });
});
