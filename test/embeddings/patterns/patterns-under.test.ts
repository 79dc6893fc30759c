import { describe, expect, it } from 'vitest';
import { conditionOverlap } from '../../../embeddings/patterns/configuration-encoder.ts';
import { patternsUnder, visibleAntiPatterns, visiblePatterns, type CataloguePattern, type PatternCatalogue } from '../../../embeddings/patterns/pattern-catalogue.ts';
import type { PatternFilterOptions } from '../../../embeddings/patterns/pattern-filter.ts';
import { seededRandom } from '../../../core/seeded-random.ts';

const VALUES: Record<string, string[]> = {
  industry: ['saas', 'retail', 'travel'], channel: ['email', 'sms', 'phone'], objective: ['leads', 'sales'],
  offer: ['discount', 'gift_card', 'none'], creative: ['video', 'static'], segment: ['loyal', 'new', 'lapsed'], 'audience.age': ['18-25', '26-40'],
};
const KEYS = Object.keys(VALUES);

function world(seed: number): PatternCatalogue {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const patterns: CataloguePattern[] = [];
  for (let i = 0; i < 600; i++) {
    const size = 1 + Math.floor(random() * 4);
    const keys = [...KEYS].sort(() => random() - 0.5).slice(0, size);
    const conditions = Object.fromEntries(keys.map((k) => [k, pick(VALUES[k] as string[])]));
    const touches = 20 + Math.floor(random() * 500);
    // few distinct strengths, so ties are common and the tie order is checked too
    const liftLow = Math.floor(random() * 4) / 2;
    patterns.push({
      id: `p${i}`, tenant: random() < 0.6 ? 'global' : pick(['c1', 'c2']), kind: random() < 0.15 ? 'anti' : 'success', centroid: [],
      conditions, touches, conversions: 1, success_rate: Math.floor(random() * 5) / 10, ci_low: Math.floor(random() * 3) / 10, ci_high: 0.9,
      lift: 1, lift_low: liftLow, lift_high: liftLow + Math.floor(random() * 3), raw_lift: 1, distinct_clients: 3, campaigns: 2,
      industries: [pick(VALUES.industry as string[])], channels: [pick(VALUES.channel as string[])], segments: [], description: '',
      scope: 'global', visibility_clients: 1 + Math.floor(random() * 5),
    });
  }
  return { patterns } as unknown as PatternCatalogue;
}

/** The definition: every visible pattern, scanned, whose conditions all hold in one configuration. */
const scanned = (c: PatternCatalogue, configurations: Record<string, string>[], o: PatternFilterOptions, limit: number, exclude: Set<string>) =>
  visiblePatterns(c, o).filter((p) => !exclude.has(p.id) && configurations.some((x) => conditionOverlap(p.conditions, x).contained)).slice(0, limit);

describe('the patterns a plan falls under, by lookup', () => {
  it('are exactly the visible patterns a scan of the build finds, in the same order, for any filter', () => {
    const random = seededRandom(3);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    for (const seed of [1, 2]) {
      const catalogue = world(seed);
      let nonEmpty = 0;
      for (let q = 0; q < 300; q++) {
        const configurations = Array.from({ length: 1 + Math.floor(random() * 2) }, () => Object.fromEntries(KEYS.map((k) => [k, pick(VALUES[k] as string[])])));
        const options: PatternFilterOptions = {
          clientId: pick(['c1', 'c2', 'c3']), minClients: 1 + Math.floor(random() * 4),
          ...(random() < 0.3 ? { industry: pick(VALUES.industry as string[]) } : {}),
          ...(random() < 0.3 ? { minSuccessRate: 0.2 } : {}), ...(random() < 0.3 ? { minSampleSize: 200 } : {}),
          ...(random() < 0.3 ? { channels: [pick(VALUES.channel as string[])] } : {}),
        };
        const limit = pick([3, 50]);
        const exclude = new Set(random() < 0.5 ? ['p1', 'p2', 'p3', 'p5', 'p8', 'p13'] : []);
        const expected = scanned(catalogue, configurations, options, limit, exclude).map((p) => p.id);
        expect(patternsUnder(catalogue, configurations, options, limit, exclude).map((p) => p.id)).toEqual(expected);
        if (expected.length > 0) nonEmpty++;
      }
      expect(nonEmpty).toBeGreaterThan(100);
    }
  });

  it('finds the same patterns when a condition value holds an "&" (keys joined as texts)', () => {
    const random = seededRandom(9);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const catalogue = world(5);
    const amp = catalogue.patterns.find((p) => (p.kind ?? 'success') === 'success' && p.conditions.offer !== undefined) as CataloguePattern;
    amp.conditions = { ...amp.conditions, offer: 'gift&wrap' };
    const options = { clientId: amp.tenant === 'global' ? 'c1' : amp.tenant, minClients: 1 };
    for (let q = 0; q < 100; q++) {
      const configurations = [Object.fromEntries(KEYS.map((k) => [k, pick(VALUES[k] as string[])]))];
      if (q % 4 === 0) configurations.push({ ...amp.conditions });
      const expected = scanned(catalogue, configurations, options, 1000, new Set()).map((p) => p.id);
      expect(patternsUnder(catalogue, configurations, options, 1000).map((p) => p.id)).toEqual(expected);
      if (q % 4 === 0 && amp.visibility_clients >= 1) expect(expected).toContain(amp.id);
    }
  });

  it('keeps the catalogue order for tied patterns, and anti-patterns most harmful first', () => {
    const catalogue = world(4);
    const options = { clientId: 'c1', minClients: 1 };
    const visible = visiblePatterns(catalogue, options);
    const rankIn = new Map(catalogue.patterns.map((p, i) => [p, i]));
    for (let i = 1; i < visible.length; i++) {
      const [a, b] = [visible[i - 1] as CataloguePattern, visible[i] as CataloguePattern];
      const tie = a.lift_low === b.lift_low && a.ci_low === b.ci_low && a.touches === b.touches;
      expect(a.lift_low > b.lift_low || (a.lift_low === b.lift_low && (a.ci_low > b.ci_low || (a.ci_low === b.ci_low && (a.touches > b.touches || (tie && (rankIn.get(a) as number) < (rankIn.get(b) as number))))))).toBe(true);
    }
    const anti = visibleAntiPatterns(catalogue, options);
    expect(anti.length).toBeGreaterThan(10);
    expect(anti.every((p, i) => p.kind === 'anti' && (i === 0 || (anti[i - 1] as CataloguePattern).lift_high <= p.lift_high))).toBe(true);
  });
});
