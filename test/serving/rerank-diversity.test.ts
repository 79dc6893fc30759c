import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/seeded-random.ts';
import { cosine } from '../../embeddings/patterns/configuration-encoder.ts';
import type { PatternCandidate } from '../../serving/search/pattern-candidate.ts';
import { rerank, type RankedPattern } from '../../serving/search/rerank.ts';

const LAMBDA = 0.8;

/** Maximal marginal relevance as defined: each pick maximises λ·score − (1−λ)·max(0, cosines to the picked), first of equals. */
function reference(sorted: RankedPattern[], topN: number): string[] {
  const picked: RankedPattern[] = [];
  const rest = [...sorted];
  while (picked.length < topN && rest.length > 0) {
    let bestIdx = 0;
    let best = -Infinity;
    rest.forEach((r, i) => {
      const redundancy = Math.max(0, ...picked.map((p) => cosine(r.candidate.centroid as number[], p.candidate.centroid as number[])));
      const value = LAMBDA * r.score - (1 - LAMBDA) * redundancy;
      if (value > best) { best = value; bestIdx = i; }
    });
    picked.push(...rest.splice(bestIdx, 1));
  }
  return picked.map((r) => r.candidate.id);
}

function candidates(seed: number, n: number): PatternCandidate[] {
  const random = seededRandom(seed);
  // a few directions with near copies around each, so that redundancy decides some picks
  const directions = Array.from({ length: 4 }, () => Array.from({ length: 16 }, () => random() - 0.5));
  return Array.from({ length: n }, (_, i) => {
    const d = directions[i % 4] as number[];
    const touches = 100 + Math.floor(random() * 900);
    return {
      id: `p${i}`, tenant: 'global', similarity: 0.5 + random() / 2, source: 'ann' as const,
      conditions: { channel: ['sms', 'phone', 'display'][i % 3] as string, offer: `o${i}` }, // never the plan's: every one a neighbour
      success_rate: 0.1, touches, conversions: 10, distinct_clients: 3 + (i % 4), campaigns: 4, ci_low: 0.05, ci_high: 0.15,
      lift: 1.5, lift_low: 1 + random(), lift_high: 2, raw_lift: 1.5, industries: ['saas'], channels: ['sms'], segments: [], description: `p${i}`,
      centroid: d.map((x) => x + (random() - 0.5) * 0.2),
    };
  });
}

describe('the rerank diversifies the neighbours by maximal marginal relevance', () => {
  it('picks what the definition picks, for any candidate set and top N', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const cs = candidates(seed, 40);
      for (const topN of [1, 3, 5, 10, 40]) {
        const input = { candidates: cs, plan: [{ channel: 'email', segment: 'loyal' }], industry: 'saas', minClients: 3, topN };
        const all = rerank({ ...input, topN: cs.length });
        // the ranking before diversification: every candidate by its score (all are neighbours)
        const byScore = [...all].sort((a, b) => b.score - a.score || a.candidate.id.localeCompare(b.candidate.id));
        expect(rerank(input).map((r) => r.candidate.id)).toEqual(reference(byScore, topN));
      }
    }
  });

  it('passes over a near copy of a pattern already picked for a less similar one', () => {
    const cs = candidates(9, 40);
    const top = rerank({ candidates: cs, plan: [{ channel: 'email' }], industry: 'saas', minClients: 3, topN: 4 });
    const directions = new Set(top.map((r) => Number(r.candidate.id.slice(1)) % 4));
    expect(directions.size).toBeGreaterThan(1);
  });
});
