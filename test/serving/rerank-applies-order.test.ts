/**
 * The order of the patterns a plan falls under (serving/search/rerank.ts): the most specific first;
 * among equally specific ones, cross-client before a client's own, then the stronger evidence of
 * the lift (evidenceZ), then more backing clients (the equal-z case).
 */
import { describe, expect, it } from 'vitest';
import { Z95 } from '../../embeddings/patterns/rate-ratio.ts';
import type { PatternCandidate } from '../../serving/search/pattern-candidate.ts';
import { evidenceZ, rerank } from '../../serving/search/rerank.ts';

/** A candidate whose lift has the given z: a 95% interval of ln-half-width 1.96 · ln(lift) / z. */
function pattern(id: string, conditions: Record<string, string>, o: { z: number; lift?: number; clients?: number; tenant?: string }): PatternCandidate {
  const lift = o.lift ?? 2;
  const half = (Z95 * Math.log(lift)) / o.z;
  return {
    id, tenant: o.tenant ?? 'global', similarity: 0.9, source: 'ann', conditions,
    success_rate: 0.2, touches: 1000, conversions: 200, distinct_clients: o.clients ?? 4, campaigns: 8, ci_low: 0.18, ci_high: 0.22,
    lift, lift_low: lift * Math.exp(-half), lift_high: lift * Math.exp(half), raw_lift: lift, industries: ['saas'], channels: ['sms'], segments: ['loyal'], description: id,
  };
}

describe('patterns the plan falls under', () => {
  it('evidenceZ reads the z of the lift back from its 95% interval; 0 without a usable interval', () => {
    expect(evidenceZ(pattern('a', {}, { z: 5.5 }))).toBeCloseTo(5.5, 9);
    expect(evidenceZ(pattern('a', {}, { z: 2, lift: 3 }))).toBeCloseTo(2, 9);
    expect(evidenceZ({ lift: 2, lift_low: 2, lift_high: 2 })).toBe(0);
    expect(evidenceZ({ lift: 0, lift_low: 0, lift_high: 1 })).toBe(0);
  });

  it('among equally specific cross-client ones, the better evidenced first, even with fewer backing clients; at equal z more clients first; the more specific before the more general', () => {
    const plan = [{ industry: 'saas', channel: 'sms', offer: 'gift_card', segment: 'loyal', device: 'mobile' }];
    const configuration = pattern('configuration', { industry: 'saas', channel: 'sms', offer: 'gift_card', segment: 'loyal' }, { z: 7, clients: 4 });
    // the configuration sliced by an incidental attribute: fewer touches, a wider interval, more clients touched
    const slice = pattern('slice', { industry: 'saas', channel: 'sms', offer: 'gift_card', device: 'mobile' }, { z: 4, clients: 9 });
    const twin = pattern('twin', { industry: 'saas', channel: 'sms', segment: 'loyal', device: 'mobile' }, { z: 4, clients: 6 });
    const general = pattern('general', { channel: 'sms', offer: 'gift_card' }, { z: 12, clients: 20 });
    const ranked = rerank({ candidates: [general, slice, twin, configuration], plan, industry: 'saas', minClients: 3, topN: 4 });
    expect(ranked.map((r) => [r.candidate.id, r.match])).toEqual([
      ['configuration', 'applies'], ['slice', 'applies'], ['twin', 'applies'], ['general', 'applies'],
    ]);
  });
});
