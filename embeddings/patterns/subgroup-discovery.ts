/**
 * Subgroup discovery over a training set: every conjunction of 1–4 conditions (exhaustive, as in
 * SD-Map, over touches pre-aggregated into cells of campaign × configuration) is compared, within
 * each client, against the same client's other touches (Mantel–Haenszel rate ratio, rate-ratio.ts).
 *
 * 1. Tally. One pass per client: every subgroup's touches and conversions in that client; the
 *    client's strata terms are folded into cross-client sums (clients with support on both sides
 *    only, and only clients that count toward k), and the client's own subgroups are tested for
 *    its private patterns.
 * 2. Test. Subgroups with ≥ 2 supporting clients and enough touches are tested; the
 *    Benjamini–Hochberg procedure keeps the false-discovery rate at `fdr` over all of them.
 *    Discoveries above base are success patterns, below are anti-patterns.
 * 3. Prune (second pass over the discoveries and their generalisations): a specific pattern is kept
 *    only if it is significantly better (or, for anti-patterns, worse) than each generalisation,
 *    within client; a generalisation with the same touches as a specialisation is not closed and
 *    gives way to it; a general pattern whose remainder, without a kept specialisation, is no
 *    longer significant only carries that specialisation and is dropped.
 * 4. k-anonymity. A cross-client pattern must still hold with any one client left out; it is then
 *    visible to others when its supporting clients minus one reach k (`visibility_clients`).
 */
import type { TrainingExample } from '../../features/training-set.ts';
import type { MiningAttribute } from './configuration.ts';
import { encodeCells, type Cells, type EncodedCells } from './configuration-cells.ts';
import { addTerms, benjaminiHochbergThreshold, emptyTerms, rateRatio, ratioBounds, stratumTerms, twoSidedP, Z95, type RateRatioTerms } from './rate-ratio.ts';
import { SubgroupKeys, MAX_SUBGROUP_SIZE } from './subgroup-keys.ts';

export interface SubgroupDiscoveryOptions {
  /** Conditions per pattern, 1–4 (default 4). */
  maxConditions?: number;
  /**
   * A combination is a hypothesis only with at least this many backing clients (default 2). Those
   * with fewer could never be shown (k-anonymity), so, as in Tarone's testability argument, they
   * are left out of the multiple-testing family; the index passes k + 1.
   */
  minSupportClients?: number;
  /** A subgroup needs this many touches over all counted clients to be tested (default 50). */
  minTouches?: number;
  /** A client supports a comparison with at least this many touches in the subgroup and outside it (default 20). */
  minClientTouches?: number;
  /** … and at least this many conversions on the two sides together (default 1). */
  minClientConversions?: number;
  /** False-discovery rate over all the combinations tested (default 0.05). */
  fdr?: number;
  /**
   * A specialisation must beat each generalisation (one-sided: better, not different) at this z:
   * cross-client 1.645 (5%), a client's own (one stratum) at the stricter `privateSpecialisationZ`
   * (default 2.576).
   */
  specialisationZ?: number;
  privateSpecialisationZ?: number;
  /** z at which a pattern must still hold with one client left out, and a general one without its specialisation (default 1.96). */
  holdZ?: number;
  /** A client's own pattern needs this many of its touches (default 30). */
  minPrivateTouches?: number;
  /** Only these clients count toward cross-client patterns (registered tenants); default: every client. */
  countedClients?: ReadonlySet<string>;
  /** Called with (clients done, clients) in each pass. */
  onProgress?: (pass: 1 | 2, done: number, total: number) => void;
}

export interface CampaignTally {
  client: string;
  industry: string | undefined;
  channel: string | undefined;
  touches: number;
  conversions: number;
}

export interface DiscoveredPattern {
  /** Condition key (role or feature) → value. */
  conditions: Record<string, string>;
  kind: 'success' | 'anti';
  scope: 'global' | 'private';
  /** 'global', or the client whose own pattern it is. */
  tenant: string;
  touches: number;
  conversions: number;
  /** Within-client (Mantel–Haenszel) rate ratio against the same clients' other touches, and its 95% interval. */
  lift: number;
  liftLow: number;
  liftHigh: number;
  /** The subgroup's rate over the rate of the same clients' touches overall (unadjusted). */
  rawLift: number;
  pValue: number;
  /** Clients with support on both sides (counted clients only; 1 for a private pattern). */
  supportClients: number;
  /** Distinct clients with touches in the subgroup. */
  clients: number;
  /** Supporting clients minus one when the pattern holds with any single client left out; 0 otherwise (private: 1). */
  visibilityClients: number;
  campaigns: Map<string, CampaignTally>;
}

export interface SubgroupDiscovery {
  patterns: DiscoveredPattern[];
  /** Cross-client combinations tested, and discoveries before pruning. */
  tested: number;
  discovered: number;
  /** Distinct conditions, cells (campaign × configuration) and touches mined. */
  conditions: number;
  cells: number;
  touches: number;
  /** The BH p-value threshold used for cross-client patterns. */
  threshold: number;
  /** Touches/conversions of a subgroup over all counted clients (pairs feed the configuration encoder). */
  tally(conditions: Record<string, string>): { touches: number; conversions: number } | undefined;
  /** The vocabulary: each condition with its touches and conversions over counted clients. */
  vocabulary: { key: string; value: string; touches: number; conversions: number }[];
}

/** A growable Float64 column set addressed by dense indices. */
class Columns {
  size = 0;
  cols: Float64Array[];
  constructor(width: number, capacity = 1024) {
    this.cols = Array.from({ length: width }, () => new Float64Array(capacity));
  }
  add(): number {
    if (this.size === (this.cols[0] as Float64Array).length) {
      this.cols = this.cols.map((c) => {
        const next = new Float64Array(c.length * 2);
        next.set(c);
        return next;
      });
    }
    return this.size++;
  }
  reset(): void {
    for (const c of this.cols) c.fill(0, 0, this.size);
    this.size = 0;
  }
}

// global columns
const G_N = 0, G_Y = 1, G_R = 2, G_S = 3, G_V = 4, G_SUPPORT = 5, G_CLIENTS = 6, G_SUPN = 7;
const G_WIDTH = 8;

/** Subgroup discovery over examples held in memory (their cells, configuration-cells.ts). */
export function discoverSubgroups(examples: readonly TrainingExample[], attributes: readonly MiningAttribute[], options: SubgroupDiscoveryOptions = {}): SubgroupDiscovery {
  return discoverSubgroupsInCells(encodeCells(examples, attributes), options);
}

/**
 * Subgroup discovery over a set's cells: the same result as over its examples, for a set encoded a
 * row at a time (a set streamed from its file, bigger than memory: encodeCellsFrom).
 */
export function discoverSubgroupsInCells(encoded: EncodedCells, options: SubgroupDiscoveryOptions = {}): SubgroupDiscovery {
  const o = {
    maxConditions: Math.max(1, Math.min(MAX_SUBGROUP_SIZE, options.maxConditions ?? 4)),
    minTouches: options.minTouches ?? 50,
    minSupportClients: Math.max(2, options.minSupportClients ?? 2),
    minClientTouches: options.minClientTouches ?? 20,
    minClientConversions: options.minClientConversions ?? 1,
    fdr: options.fdr ?? 0.05,
    specialisationZ: options.specialisationZ ?? 1.644854,
    privateSpecialisationZ: options.privateSpecialisationZ ?? 2.575829,
    holdZ: options.holdZ ?? Z95,
    minPrivateTouches: options.minPrivateTouches ?? 30,
  };
  const { cells, clientIds, campaignIds, campaignInfo, condKey, condValue } = encoded;
  const keys = new SubgroupKeys(condKey.length);
  const counted = clientIds.map((c) => options.countedClients === undefined || options.countedClients.has(c));
  const byClient = cellsByClient(cells, clientIds.length);
  const totals = clientTotals(cells, clientIds.length);

  const conditionsOf = (key: number): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const id of keys.ids(key)) out[condKey[id] as string] = condValue[id] as string;
    return out;
  };
  const supports = (n1: number, n0: number, y: number) => n1 >= o.minClientTouches && n0 >= o.minClientTouches && y >= o.minClientConversions;

  // ---- pass 1: tallies per client, folded into cross-client sums; each client's own discoveries
  const global = new Map<number, number>();
  const g = new Columns(G_WIDTH, 1 << 14);
  const local = new Map<number, number>();
  const l = new Columns(2, 1 << 12);
  const privateKept: Map<number, number>[] = [];
  const condBuf: number[] = [];
  const tallyClient = (client: number, accept: (key: number) => boolean) => {
    local.clear();
    l.reset();
    for (const cell of byClient[client] as number[]) {
      const cn = cells.n[cell] as number;
      const cy = cells.y[cell] as number;
      condsOf(cells, cell, condBuf);
      keys.forEachSubset(condBuf, o.maxConditions, (key) => {
        if (!accept(key)) return;
        let at = local.get(key);
        if (at === undefined) {
          at = l.add();
          local.set(key, at);
        }
        inc(l.cols[0], at, cn);
        inc(l.cols[1], at, cy);
      });
    }
  };
  for (let client = 0; client < clientIds.length; client++) {
    tallyClient(client, () => true);
    const ln = l.cols[0] as Float64Array;
    const ly = l.cols[1] as Float64Array;
    const N = totals.n[client] as number;
    const Y = totals.y[client] as number;
    if (counted[client]) {
      for (const [key, at] of local) {
        const n1 = ln[at] as number;
        const y1 = ly[at] as number;
        let gi = global.get(key);
        if (gi === undefined) {
          gi = g.add();
          global.set(key, gi);
        }
        // read the columns after add(): a growth replaces them (a copy taken before the loop lost
        // every later increment of the client in whose tally the columns grew)
        const c = g.cols;
        inc(c[G_N], gi, n1);
        inc(c[G_Y], gi, y1);
        inc(c[G_CLIENTS], gi, 1);
        if (supports(n1, N - n1, Y)) {
          const t = stratumTerms(n1, y1, N - n1, Y - y1);
          inc(c[G_R], gi, t.r);
          inc(c[G_S], gi, t.s);
          inc(c[G_V], gi, t.v);
          inc(c[G_SUPPORT], gi, 1);
          inc(c[G_SUPN], gi, n1);
        }
      }
    }
    privateKept.push(privateFor(local, ln, ly, N, Y));
    options.onProgress?.(1, client + 1, clientIds.length);
  }

  /** A client's own discoveries (BH within the client) after the redundancy rules. */
  function privateFor(map: Map<number, number>, n: Float64Array, y: Float64Array, N: number, Y: number): Map<number, number> {
    const tested: { key: number; p: number; log: number }[] = [];
    for (const [key, at] of map) {
      const n1 = n[at] as number;
      const y1 = y[at] as number;
      if (n1 < o.minPrivateTouches || N - n1 < o.minClientTouches || Y < o.minClientConversions) continue;
      const rr = rateRatio(stratumTerms(n1, y1, N - n1, Y - y1));
      tested.push({ key, p: twoSidedP(rr.z), log: rr.log });
    }
    const threshold = benjaminiHochbergThreshold(tested.map((t) => t.p), o.fdr);
    const found = new Map(tested.filter((t) => threshold > 0 && t.p <= threshold).map((t) => [t.key, t.log > 0 ? 1 : -1] as const));
    const tallyOf = (key: number) => {
      const at = map.get(key);
      return at === undefined ? ([0, 0] as const) : ([n[at] as number, y[at] as number] as const);
    };
    return prune(found, (s, gKey) => {
      const [nS, yS] = tallyOf(s);
      const [nG, yG] = tallyOf(gKey);
      return [{ n1: nS, y1: yS, n0: nG - nS, y0: yG - yS }];
    }, (gKey, s) => {
      const [nS, yS] = tallyOf(s);
      const [nG, yG] = tallyOf(gKey);
      return [{ n1: nG - nS, y1: yG - yS, n0: N - nG, y0: Y - yG }];
    });
  }

  // ---- test: every cross-client subgroup with support; BH over all of them
  const testedIdx: number[] = [];
  const pValues: number[] = [];
  const gKeyOf: number[] = new Array(g.size);
  for (const [key, gi] of global) gKeyOf[gi] = key;
  const gc = g.cols;
  for (let gi = 0; gi < g.size; gi++) {
    if ((gc[G_SUPPORT] as Float64Array)[gi]! < o.minSupportClients || (gc[G_SUPN] as Float64Array)[gi]! < o.minTouches) continue;
    const rr = rateRatio({ r: gc[G_R]![gi]!, s: gc[G_S]![gi]!, v: gc[G_V]![gi]! }, gc[G_SUPPORT]![gi]!);
    testedIdx.push(gi);
    pValues.push(twoSidedP(rr.z));
  }
  const threshold = benjaminiHochbergThreshold(pValues, o.fdr);
  const found = new Map<number, number>();
  testedIdx.forEach((gi, i) => {
    if (threshold > 0 && (pValues[i] as number) <= threshold) {
      const log = Math.log(Math.max(gc[G_R]![gi]!, 1e-9) / Math.max(gc[G_S]![gi]!, 1e-9));
      found.set(gKeyOf[gi] as number, log > 0 ? 1 : -1);
    }
  });

  // ---- pass 2: per-client tallies of the discoveries and their generalisations; prune
  const targets = new Map<number, { client: number; n: number; y: number }[]>();
  for (const key of found.keys()) {
    targets.set(key, []);
    for (const gen of keys.generalisations(key)) if (!targets.has(gen)) targets.set(gen, []);
  }
  for (let client = 0; client < clientIds.length; client++) {
    if (!counted[client] || targets.size === 0) continue;
    tallyClient(client, (key) => targets.has(key));
    for (const [key, at] of local) targets.get(key)?.push({ client, n: l.cols[0]![at]!, y: l.cols[1]![at]! });
    options.onProgress?.(2, client + 1, clientIds.length);
  }
  const perClient = (key: number) => new Map((targets.get(key) ?? []).map((t) => [t.client, t] as const));
  const kept = prune(found, (s, gen) => {
    const gs = perClient(gen);
    return (targets.get(s) ?? []).map((t) => {
      const gt = gs.get(t.client) ?? { n: t.n, y: t.y };
      return { n1: t.n, y1: t.y, n0: gt.n - t.n, y0: gt.y - t.y };
    });
  }, (gen, s) => {
    const ss = perClient(s);
    return (targets.get(gen) ?? []).map((t) => {
      const st = ss.get(t.client) ?? { n: 0, y: 0 };
      return { n1: t.n - st.n, y1: t.y - st.y, n0: (totals.n[t.client] as number) - t.n, y0: (totals.y[t.client] as number) - t.y };
    });
  }, o.specialisationZ, o.holdZ, true);
  targets.clear();

  // ---- pass 3: confirm each kept pattern against a clean base (the client's touches outside it
  // and outside every kept pattern of the other direction, so a strong pattern's complement does
  // not look like a pattern itself), with campaign tallies; then the leave-one-out check
  const patterns: DiscoveredPattern[] = [];
  for (let client = 0; client < clientIds.length; client++) {
    const own = privateKept[client] as Map<number, number>;
    if (own.size > 0) {
      const confirmed = confirm([client], own, false);
      patterns.push(...confirmed);
    }
    options.onProgress?.(2, client + 1, clientIds.length);
  }
  const countedClients = clientIds.map((_, i) => i).filter((i) => counted[i]);
  if (kept.size > 0) patterns.unshift(...confirm(countedClients, kept, true));
  return finish(patterns);

  /** Clean strata per client for `set` (key → direction) and the patterns that still hold. */
  function confirm(clients: number[], set: Map<number, number>, cross: boolean): DiscoveredPattern[] {
    const tallies = new Map<number, Map<number, { n: number; y: number; nClean: number; yClean: number; campaigns: Map<number, [number, number]> }>>();
    const clean = new Map<number, { up: [number, number]; down: [number, number] }>();
    const matched: number[] = [];
    const idsOf = new Map([...set.keys()].map((k) => [k, keys.ids(k)] as const));
    const nested = (a: number, b: number) => {
      const ia = idsOf.get(a) as number[];
      const ib = idsOf.get(b) as number[];
      return ia.every((x) => ib.includes(x)) || ib.every((x) => ia.includes(x));
    };
    /** Touches two overlapping, non-nested patterns of one direction share, per client ("a|b" with a < b). */
    const shared = new Map<string, Map<number, [number, number]>>();
    for (const client of clients) {
      const base = { up: [0, 0] as [number, number], down: [0, 0] as [number, number] };
      clean.set(client, base);
      for (const cell of byClient[client] as number[]) {
        const cn = cells.n[cell] as number;
        const cy = cells.y[cell] as number;
        condsOf(cells, cell, condBuf);
        matched.length = 0;
        let coveredUp = false;
        let coveredDown = false;
        keys.forEachSubset(condBuf, o.maxConditions, (key) => {
          const dir = set.get(key);
          if (dir === undefined) return;
          matched.push(key);
          if (dir > 0) coveredUp = true;
          else coveredDown = true;
        });
        // base for success patterns excludes anti-covered touches, and the reverse
        if (!coveredDown) { base.up[0] += cn; base.up[1] += cy; }
        if (!coveredUp) { base.down[0] += cn; base.down[1] += cy; }
        for (const key of matched) {
          const dir = set.get(key) as number;
          let byClientTally = tallies.get(key);
          if (byClientTally === undefined) tallies.set(key, (byClientTally = new Map()));
          let t = byClientTally.get(client);
          if (t === undefined) byClientTally.set(client, (t = { n: 0, y: 0, nClean: 0, yClean: 0, campaigns: new Map() }));
          t.n += cn;
          t.y += cy;
          if (dir > 0 ? !coveredDown : !coveredUp) { t.nClean += cn; t.yClean += cy; }
          const campaign = cells.campaign[cell] as number;
          const ct = t.campaigns.get(campaign);
          if (ct === undefined) t.campaigns.set(campaign, [cn, cy]);
          else { ct[0] += cn; ct[1] += cy; }
        }
        for (let i = 0; i < matched.length; i++) {
          for (let j = i + 1; j < matched.length; j++) {
            const a = Math.min(matched[i] as number, matched[j] as number);
            const b = Math.max(matched[i] as number, matched[j] as number);
            if (set.get(a) !== set.get(b) || nested(a, b)) continue;
            const pairKey = `${a}|${b}`;
            let perClient = shared.get(pairKey);
            if (perClient === undefined) shared.set(pairKey, (perClient = new Map()));
            const st = perClient.get(client);
            if (st === undefined) perClient.set(client, [cn, cy]);
            else { st[0] += cn; st[1] += cy; }
          }
        }
      }
    }
    /**
     * What a pattern's touches in a client are compared with: the client's touches outside it and
     * outside every kept pattern of the other direction; when nothing is left (the two are
     * complements: young better ⇔ old worse), a success pattern is compared with the whole rest and an
     * anti-pattern, only its complement, gets no comparison (undefined).
     */
    const comparisonBase = (client: number, t: { n: number; y: number; nClean: number; yClean: number }, dir: number): [number, number] | undefined => {
      const base = (clean.get(client) as { up: [number, number]; down: [number, number] })[dir > 0 ? 'up' : 'down'];
      const n0 = base[0] - t.nClean;
      if (n0 >= o.minClientTouches) return [n0, base[1] - t.yClean];
      if (dir < 0) return undefined;
      return [(totals.n[client] as number) - t.n, (totals.y[client] as number) - t.y];
    };
    // against the clean base, a general pattern must still hold without each kept specialisation
    const carriedOut = new Set<number>();
    for (const [specific, dir] of set) {
      const st = tallies.get(specific);
      for (const gen of keys.generalisations(specific)) {
        if (set.get(gen) !== dir || carriedOut.has(gen)) continue;
        const strata: Stratum[] = [];
        for (const [client, tg] of tallies.get(gen) ?? []) {
          const ts = st?.get(client);
          const base = comparisonBase(client, tg, dir);
          if (base !== undefined) strata.push({ n1: tg.n - (ts?.n ?? 0), y1: tg.y - (ts?.y ?? 0), n0: base[0], y0: base[1] });
        }
        if (!(cross ? holdsWithoutAnyOne : holds)(strata, dir, o.holdZ)) carriedOut.add(gen);
      }
    }
    // overlapping siblings (neither more general than the other): a slice of a real pattern by one
    // more attribute is not a second pattern; two that hold only together are kept both (two
    // descriptions of the same campaigns)
    const strataAgainstBase = (key: number, dir: number, without?: number) => {
      const strata: Stratum[] = [];
      const pair = without === undefined ? undefined : shared.get(`${Math.min(key, without)}|${Math.max(key, without)}`);
      for (const [client, t] of tallies.get(key) ?? []) {
        const base = comparisonBase(client, t, dir);
        const cut = pair?.get(client) ?? [0, 0];
        if (base !== undefined) strata.push({ n1: t.n - cut[0], y1: t.y - cut[1], n0: base[0], y0: base[1] });
      }
      return strata;
    };
    const holdsFor = (strata: Stratum[], dir: number) => (cross ? holdsWithoutAnyOne : holds)(strata, dir, o.holdZ);
    const inside = (rest: Stratum[], key: number) => {
      const all = [...(tallies.get(key)?.values() ?? [])].reduce((sum, t) => sum + t.n, 0);
      return rest.reduce((sum, t) => sum + t.n1, 0) <= CLOSURE_DELTA * all;
    };
    // a slice: c is no pattern without the touches it shares with a, while a still is without c's
    const slices = new Set<number>();
    for (const pairKey of shared.keys()) {
      const [a, c] = pairKey.split('|').map(Number) as [number, number];
      if (carriedOut.has(a) || carriedOut.has(c)) continue;
      const dir = set.get(a) as number;
      // (both are robust patterns on their own: which describes the campaigns better is decided on all clients)
      const aRest = strataAgainstBase(a, dir, c);
      const cRest = strataAgainstBase(c, dir, a);
      const aWithout = holds(aRest, dir, o.holdZ);
      const cWithout = holds(cRest, dir, o.holdZ);
      // one whose touches lie (almost) all inside the other is a sharper description, not a slice
      if (aWithout && !cWithout && !inside(cRest, c)) slices.add(c);
      else if (cWithout && !aWithout && !inside(aRest, a)) slices.add(a);
    }
    for (const k of slices) carriedOut.add(k);
    const out: DiscoveredPattern[] = [];
    for (const [key, dir] of set) {
      if (carriedOut.has(key)) continue;
      const strata: RateRatioTerms[] = [];
      const total = emptyTerms();
      let n = 0;
      let y = 0;
      let baseExpected = 0;
      let clientsWith = 0;
      const campaigns = new Map<string, CampaignTally>();
      for (const [client, t] of tallies.get(key) ?? []) {
        clientsWith++;
        n += t.n;
        y += t.y;
        for (const [campaign, [cn, cy]] of t.campaigns) {
          const info = campaignInfo[campaign] as { client: number; industry?: string; channel?: string };
          campaigns.set(campaignIds[campaign] as string, { client: clientIds[info.client] as string, industry: info.industry, channel: info.channel, touches: cn, conversions: cy });
        }
        const base = comparisonBase(client, t, dir);
        if (base === undefined) continue;
        const [n0, y0] = base;
        const enough = cross ? supports(t.n, n0, t.y + y0) : t.n >= o.minPrivateTouches && n0 >= o.minClientTouches && t.y + y0 >= o.minClientConversions;
        if (!enough) continue;
        const terms = stratumTerms(t.n, t.y, n0, y0);
        addTerms(total, terms);
        strata.push(terms);
        baseExpected += (t.n * (t.y + y0)) / (t.n + n0);
      }
      if (strata.length < (cross ? 2 : 1)) continue;
      const rr = rateRatio(total, strata.length);
      const holdsNow = dir > 0 ? rr.log - o.holdZ * rr.se > 0 : rr.log + o.holdZ * rr.se < 0;
      if (!holdsNow) continue;
      const robust = !cross || strata.every((terms) => {
        const rest = { ...total };
        addTerms(rest, terms, -1);
        const loo = rateRatio(rest, strata.length - 1);
        return dir > 0 ? loo.log - o.holdZ * loo.se > 0 : loo.log + o.holdZ * loo.se < 0;
      });
      if (!robust) continue;
      const b = ratioBounds(rr);
      out.push({
        conditions: conditionsOf(key), kind: dir > 0 ? 'success' : 'anti', scope: cross ? 'global' : 'private',
        tenant: cross ? 'global' : (clientIds[clients[0] as number] as string),
        touches: n, conversions: y, lift: rr.ratio, liftLow: b.low, liftHigh: b.high,
        rawLift: baseExpected > 0 ? y / baseExpected : 0, pValue: twoSidedP(rr.z),
        supportClients: strata.length, clients: clientsWith, visibilityClients: cross ? strata.length - 1 : 1, campaigns,
      });
    }
    return out;
  }

  function finish(mined: DiscoveredPattern[]): SubgroupDiscovery {
  const condIndex = new Map(condKey.map((k, i) => [`${k}\u0000${condValue[i]}`, i] as const));
  return {
    patterns: mined,
    tested: testedIdx.length,
    discovered: found.size,
    conditions: condKey.length,
    cells: cells.count,
    touches: encoded.touches,
    threshold,
    tally(conditions) {
      const ids: number[] = [];
      for (const [k, v] of Object.entries(conditions)) {
        const id = condIndex.get(`${k}\u0000${v}`);
        if (id === undefined) return undefined;
        ids.push(id);
      }
      if (ids.length === 0 || ids.length > MAX_SUBGROUP_SIZE) return undefined;
      const gi = global.get(keys.key(ids.sort((a, b) => a - b)));
      return gi === undefined ? undefined : { touches: gc[G_N]![gi]!, conversions: gc[G_Y]![gi]! };
    },
    vocabulary: condKey.map((key, i) => {
      const gi = global.get(keys.key([i]));
      return { key, value: condValue[i] as string, touches: gi === undefined ? 0 : gc[G_N]![gi]!, conversions: gi === undefined ? 0 : gc[G_Y]![gi]! };
    }),
  };
  }

  /**
   * The redundancy rules over `found` (key → direction ±1). `within(s, g)` gives the strata of s
   * against the rest of its generalisation g; `remainder(g, s)` the strata of g without s against
   * the touches outside g.
   */
  function prune(
    discovered: Map<number, number>,
    within: (s: number, gen: number) => Stratum[],
    remainder: (gen: number, s: number) => Stratum[],
    zSpecific = o.privateSpecialisationZ,
    zHold = o.holdZ,
    robust = false,
  ): Map<number, number> {
    // a comparison across fewer than 3 clients cannot tell a cross-client specialisation from its generalisation
    const minStrata = robust ? 3 : 1;
    // cross-client: a general pattern kept beside a specialisation must hold with any single client
    // left out, so one client's data cannot keep a generalisation of its own pattern alive for others
    const test = robust ? holdsWithoutAnyOne : holds;
    // (near-)equal extension: a generalisation with (almost) the same touches as a discovery is not
    // closed; it is represented by its most specific discovered superset (the closed pattern)
    const closure = new Map<number, number>();
    const size = (key: number) => keys.ids(key).length;
    const identical = new Set<string>();
    for (const s of discovered.keys()) {
      for (const gen of keys.generalisations(s)) {
        const strata = within(s, gen).filter((t) => t.n1 > 0);
        // δ-closure (after Boulicaut et al.'s δ-free sets): see CLOSURE_DELTA
        const outside = strata.reduce((sum, t) => sum + Math.max(0, t.n0), 0);
        const inside = strata.reduce((sum, t) => sum + t.n1, 0);
        const comparable = strata.filter((t) => t.n0 >= o.minClientTouches).length >= minStrata;
        if (comparable && outside > CLOSURE_DELTA * (inside + outside)) continue;
        identical.add(`${s}/${gen}`);
        const prev = closure.get(gen);
        if (prev === undefined || size(prev) < size(s)) closure.set(gen, s);
      }
    }
    const kept = new Map<number, number>();
    for (const [s, dir] of discovered) {
      let better = true;
      for (const gen of keys.generalisations(s)) {
        if (identical.has(`${s}/${gen}`)) continue;
        if (!holds(within(s, gen).filter((t) => t.n1 > 0 && t.n0 >= o.minClientTouches), dir, zSpecific)) {
          better = false;
          break;
        }
      }
      if (!better) continue;
      let rep = s;
      for (let next = closure.get(rep); next !== undefined; next = closure.get(rep)) rep = next;
      kept.set(rep, dir);
    }
    const carried = new Set<number>();
    for (const [s, dir] of kept) {
      for (const gen of keys.generalisations(s)) {
        if (kept.get(gen) !== dir || carried.has(gen)) continue;
        if (!test(remainder(gen, s), dir, zHold)) carried.add(gen);
      }
    }
    for (const gen of carried) kept.delete(gen);
    return kept;
  }
}

/**
 * δ-closure: a generalisation whose touches outside the specialisation are at most this share of
 * its own (or that too few clients have outside it to compare) describes the same campaigns; the
 * more specific description stands for both.
 */
const CLOSURE_DELTA = 0.2;

interface Stratum {
  n1: number;
  y1: number;
  n0: number;
  y0: number;
}

/** Whether the pooled ratio of `strata` is significantly above 1 (dir 1) or below (dir −1) at z. */
function holds(strata: Stratum[], dir: number, z: number): boolean {
  const terms = emptyTerms();
  let used = 0;
  for (const t of strata) {
    if (t.n1 <= 0 || t.n0 <= 0) continue;
    addTerms(terms, stratumTerms(t.n1, t.y1, t.n0, t.y0));
    used++;
  }
  if (used === 0) return false;
  const rr = rateRatio(terms, used);
  return dir > 0 ? rr.log - z * rr.se > 0 : rr.log + z * rr.se < 0;
}

/** `holds` for the strata together and with each one left out. */
function holdsWithoutAnyOne(strata: Stratum[], dir: number, z: number): boolean {
  const used = strata.filter((t) => t.n1 > 0 && t.n0 > 0);
  if (!holds(used, dir, z)) return false;
  if (used.length < 2) return false;
  const total = emptyTerms();
  const terms = used.map((t) => stratumTerms(t.n1, t.y1, t.n0, t.y0));
  terms.forEach((t) => addTerms(total, t));
  return terms.every((t) => {
    const rest = { ...total };
    addTerms(rest, t, -1);
    const rr = rateRatio(rest, used.length - 1);
    return dir > 0 ? rr.log - z * rr.se > 0 : rr.log + z * rr.se < 0;
  });
}

function addCampaign(map: Map<number, Map<number, [number, number]>>, key: number, campaign: number, n: number, y: number): void {
  let m = map.get(key);
  if (m === undefined) {
    m = new Map();
    map.set(key, m);
  }
  const t = m.get(campaign);
  if (t === undefined) m.set(campaign, [n, y]);
  else {
    t[0] += n;
    t[1] += y;
  }
}

function inc(column: Float64Array | undefined, at: number, by: number): void {
  (column as Float64Array)[at] = ((column as Float64Array)[at] as number) + by;
}

function condsOf(cells: Cells, cell: number, out: number[]): void {
  out.length = 0;
  for (let i = cells.start[cell] as number; i < (cells.start[cell + 1] as number); i++) out.push(cells.conds[i] as number);
}

function cellsByClient(cells: Cells, clients: number): number[][] {
  const out: number[][] = Array.from({ length: clients }, () => []);
  for (let i = 0; i < cells.count; i++) (out[cells.client[i] as number] as number[]).push(i);
  return out;
}

function clientTotals(cells: Cells, clients: number): { n: Float64Array; y: Float64Array } {
  const n = new Float64Array(clients);
  const y = new Float64Array(clients);
  for (let i = 0; i < cells.count; i++) {
    inc(n, cells.client[i] as number, cells.n[i] as number);
    inc(y, cells.client[i] as number, cells.y[i] as number);
  }
  return { n, y };
}
