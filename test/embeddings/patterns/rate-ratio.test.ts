import { describe, expect, it } from 'vitest';
import { addTerms, benjaminiHochbergThreshold, emptyTerms, normalUpperTail, rateRatio, ratioBounds, stratumTerms, twoSidedP } from '../../../embeddings/patterns/rate-ratio.ts';
import { SubgroupKeys } from '../../../embeddings/patterns/subgroup-keys.ts';

describe('Mantel–Haenszel rate ratio, Benjamini–Hochberg and the normal tail, against known results', () => {
  it('pools strata like statsmodels StratifiedTable.riskratio_pooled, with the Greenland–Robins variance', () => {
    // statsmodels 0.14: StratifiedTable([[[20, 80], [10, 90]], [[5, 45], [9, 141]]]).riskratio_pooled == 1.896551724137931
    const terms = emptyTerms();
    addTerms(terms, stratumTerms(100, 20, 100, 10));
    addTerms(terms, stratumTerms(50, 5, 150, 9));
    const rr = rateRatio(terms, 2);
    expect(rr.ratio).toBeCloseTo(1.896551724137931, 12);
    // Greenland & Robins (1985): Σ(n1·n0·M1 − y1·y0·N)/N² / (R·S) = (6.5 + 2.4) / (13.75 · 7.25)
    expect(rr.se).toBeCloseTo(Math.sqrt(8.9 / (13.75 * 7.25)), 12);
    const b = ratioBounds(rr);
    expect(b.low).toBeCloseTo(1.896551724137931 * Math.exp(-1.959964 * rr.se), 6);
    // one stratum: the ordinary risk ratio and the delta-method variance 1/y1 − 1/n1 + 1/y0 − 1/n0
    const one = rateRatio(stratumTerms(200, 30, 400, 20));
    expect(one.ratio).toBeCloseTo((30 / 200) / (20 / 400), 12);
    expect(one.se).toBeCloseTo(Math.sqrt(1 / 30 - 1 / 200 + 1 / 20 - 1 / 400), 12);
  });

  it('leaving a stratum out is subtracting its terms', () => {
    const a = stratumTerms(100, 20, 100, 10);
    const b = stratumTerms(50, 5, 150, 9);
    const both = emptyTerms();
    addTerms(both, a);
    addTerms(both, b);
    addTerms(both, b, -1);
    expect(rateRatio(both).ratio).toBeCloseTo(rateRatio(a).ratio, 12);
  });

  it('Benjamini–Hochberg keeps the discoveries statsmodels multipletests(method="fdr_bh") keeps', () => {
    // multipletests([0.01, 0.04, 0.03, 0.005, 0.2, 0.5], alpha=0.05, method='fdr_bh')[0] == [T, F, F, T, F, F]
    const p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5];
    const threshold = benjaminiHochbergThreshold(p, 0.05);
    expect(p.map((x) => x <= threshold)).toEqual([true, false, false, true, false, false]);
    expect(benjaminiHochbergThreshold([0.5, 0.9], 0.05)).toBe(0);
    expect(benjaminiHochbergThreshold([], 0.05)).toBe(0);
  });

  it('normal tail probabilities match the tables', () => {
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(twoSidedP(3)).toBeCloseTo(0.0026998, 6);
    expect(twoSidedP(0)).toBeCloseTo(1, 6);
    expect(normalUpperTail(-1.959964)).toBeCloseTo(0.975, 6);
  });
});

describe('SubgroupKeys', () => {
  it('packs 1–4 sorted condition ids into one exact number and back; enumerates subsets and generalisations', () => {
    const k = new SubgroupKeys(8999);
    for (const ids of [[0], [3, 8998], [0, 1, 2], [5, 77, 1000, 8998]]) expect(k.ids(k.key(ids))).toEqual(ids);
    const seen: number[][] = [];
    k.forEachSubset([2, 4, 6], 4, (key) => seen.push(k.ids(key)));
    expect(seen).toEqual([[2], [2, 4], [2, 4, 6], [2, 6], [4], [4, 6], [6]]);
    const two: number[][] = [];
    k.forEachSubset([1, 2, 3, 4, 5], 2, (key) => two.push(k.ids(key)));
    expect(two).toHaveLength(5 + 10);
    expect(k.generalisations(k.key([1, 2, 3])).map((g) => k.ids(g)).sort()).toEqual([[1], [1, 2], [1, 3], [2], [2, 3], [3]]);
    expect(() => new SubgroupKeys(9001)).toThrow(RangeError);
  });
});
