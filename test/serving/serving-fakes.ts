/**
 * Small in-test fakes of the ports serving uses (a scorer whose probability and embedding depend
 * on channel and segment, an online store map, a graph with fixed evidence) plus the real embedded
 * vector index and result cache. `fakeDeps()` builds a complete ServingDeps in a temp home.
 *
 * Like production, the fake scorer takes encoded rows (predictEncoded) and the fake feature
 * functions have a compiled reader, so requests take the encoded path serving takes in
 * production; every scorer call is recorded in `FakeWorld.scorerCalls`.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { createMetrics } from '../../core/metrics.ts';
import type { GraphStore, PatternEvidence } from '../../embeddings/graph-store/graph-store.ts';
import { ENCODER_DIMS, encodeConfiguration, fitConfigurationEncoder } from '../../embeddings/patterns/configuration-encoder.ts';
import { markCurrentCatalogue, writePatternCatalogue } from '../../embeddings/patterns/pattern-catalogue.ts';
import { patternRecord } from '../../embeddings/patterns/pattern-records.ts';
import { PATTERN_FIELDS, type SuccessPattern } from '../../embeddings/patterns/success-pattern.ts';
import { createEmbeddedVectorIndex } from '../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import type { VectorFilter, VectorIndex } from '../../embeddings/vector-index/vector-index.ts';
import type { OnlineKey, OnlineStore, OnlineValue } from '../../features/online-store/online-store.ts';
import type { FeatureRecord, FeatureValue } from '../../features/training-set.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import type { InputSignature, ModelRegistry, ModelVersion } from '../../models/registry/model-registry.ts';
import type { AppendRecord, EventLog } from '../../pipelines/event-log/event-log.ts';
import { createEmbeddedResultCache } from '../../serving/cache/embedded/embedded-result-cache.ts';
import type { CampaignProfile, FeatureFunctions, PatternFilterOptions, ServingDeps } from '../../serving/serving-deps.ts';
import { eventIdentity } from '../../core/domain/event.ts';
import { createEmbeddedTenantStore } from '../../core/tenants/embedded/embedded-tenant-store.ts';
import { createTestKeys, type TestKeys } from './auth-keys.ts';

export const CHANNELS = ['email', 'display', 'social', 'search'];
export const SEGMENTS = ['young_urban', 'families', 'seniors', 'students'];
const DIM = CHANNELS.length + SEGMENTS.length;

/** A unit vector: one-hot channel + one-hot segment (normalised). */
export function configVector(channel: string, segment: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[Math.max(0, CHANNELS.indexOf(channel))] = 1;
  v[CHANNELS.length + Math.max(0, SEGMENTS.indexOf(segment))] = 1;
  return v.map((x) => x / Math.SQRT2);
}

export function fakeModel(version: number, aliases: ('champion' | 'challenger')[] = []): ModelVersion {
  return {
    version, name: 'touch-conversion', createdAt: new Date(0).toISOString(), aliases, onnxPath: `/nowhere/${version}.onnx`,
    metrics: { roc_auc: 0.8, pr_auc: 0.3, log_loss: 0.3, calibration: [], holdout_rows: 100, holdout_positives: 10 },
    signature: {
      features: [
        { name: 'channel', type: 'categorical', vocabulary: CHANNELS },
        { name: 'segment', type: 'categorical', vocabulary: SEGMENTS },
        { name: 'client_rate_7d', type: 'numeric', mean: 0, std: 1, fill: 0, missingIndicator: true },
      ],
      inputWidth: 12, inputName: 'x', outputs: { probability: 'p', embedding: 'e' }, embeddingWidth: DIM,
    },
    lineage: { trainingSetId: 'ts', trainingRange: { from: 0, to: 1 }, featureViews: [], eventLogOffsets: {}, codeVersion: 'test', parameters: {}, origin: 'almanac' },
  };
}

/** One call a fake scorer answered: which method, for how many rows. */
export interface ScorerCall {
  version: number;
  method: 'predict' | 'predictEncoded' | 'embed';
  rows: number;
}

/**
 * The record a row of the input tensor encodes (categorical: the hot vocabulary entry, null for the
 * OOV slot; numeric: z·std + mean, null when its missing indicator is set): how the fake reads x.
 */
export function decodeRow(signature: InputSignature, x: Float32Array, row: number): FeatureRecord {
  const record: FeatureRecord = {};
  let at = row * signature.inputWidth;
  for (const f of signature.features) {
    if (f.type === 'categorical') {
      const hot = f.vocabulary.findIndex((_, i) => x[at + i] === 1);
      record[f.name] = hot < 0 ? null : (f.vocabulary[hot] as string);
      at += f.vocabulary.length + 1;
    } else {
      const missing = f.missingIndicator === true && x[at + 1] === 1;
      record[f.name] = missing ? null : (x[at] as number) * f.std + f.mean;
      at += f.missingIndicator ? 2 : 1;
    }
  }
  return record;
}

/**
 * Probability: email 0.2 / others 0.05, +0.1 for young_urban, + client rate; version adds 0.001·v so swaps are visible.
 * Without `options.encoded: false` it also takes encoded rows (decoded, then the same formula). Calls go to `options.calls`.
 */
export function fakeScorer(model: ModelVersion, closed: number[] = [], options: { calls?: ScorerCall[]; encoded?: boolean } = {}): Scorer {
  const p = (r: FeatureRecord) => (r.channel === 'email' ? 0.2 : 0.05) + (r.segment === 'young_urban' ? 0.1 : 0) + Number(r.client_rate_7d ?? 0) + model.version * 0.001;
  const called = (method: ScorerCall['method'], rows: number) => options.calls?.push({ version: model.version, method, rows });
  const scorer: Scorer = {
    version: model.version, signature: model.signature,
    predict: async (records) => { called('predict', records.length); return Float32Array.from(records.map(p)); },
    embed: async (records) => { called('embed', records.length); return records.map((r) => Float32Array.from(configVector(String(r.channel), String(r.segment)))); },
    close: async () => { closed.push(model.version); },
  };
  if (options.encoded === false) return scorer;
  return {
    ...scorer,
    predictEncoded: async (x, rows) => {
      if (x.length !== rows * model.signature.inputWidth) throw new Error(`fake scorer: ${x.length} floats for ${rows} rows of width ${model.signature.inputWidth}`);
      called('predictEncoded', rows);
      return Float32Array.from({ length: rows }, (_, row) => p(decodeRow(model.signature, x, row)));
    },
  };
}

export function fakeRegistry(models: ModelVersion[]): ModelRegistry & { models: ModelVersion[] } {
  let revision = 1;
  const owner = (alias: 'champion' | 'challenger') => models.find((m) => m.aliases.includes(alias));
  const setAlias = async (alias: 'champion' | 'challenger', version: number) => {
    for (const m of models) m.aliases = m.aliases.filter((a) => a !== alias);
    models.find((m) => m.version === version)?.aliases.push(alias);
    revision++;
  };
  return {
    models, init: async () => {}, register: async () => { throw new Error('unused'); },
    list: async () => models, get: async (v) => models.find((m) => m.version === v) as ModelVersion,
    resolve: async (alias) => owner(alias), setAlias,
    promote: async (v) => { const previous = owner('champion')?.version; await setAlias('champion', v); return { promoted: true, previous, reason: 'forced' }; },
    rollback: async () => { throw new Error('unused'); }, revision: async () => String(revision),
  };
}

export function fakeOnlineStore(rows: Record<string, OnlineValue>): OnlineStore & { reads: number } {
  const store = {
    kind: 'fake', capabilities: new Set<never>(), reads: 0,
    init: async () => {}, close: async () => {}, flush: async () => {}, write: async () => {},
    // like the real stores: an empty store cannot serve anyone
    ping: async () => {
      if (Object.keys(rows).length === 0) throw new Error('the online store holds no feature rows');
      return `${Object.keys(rows).length} rows`;
    },
    read: async (keys: OnlineKey[]) => { store.reads++; return keys.map((k) => rows[`${k.view}:${k.entity}`]); },
    rowCounts: async () => {
      const out: Record<string, number> = {};
      for (const key of Object.keys(rows)) out[key.split(':')[0] as string] = (out[key.split(':')[0] as string] ?? 0) + 1;
      return out;
    },
  };
  return store;
}

export const CAMPAIGNS: Record<string, CampaignProfile> = {
  cmp1: { client_id: 'c1', industry: 'retail', objective: 'sales', channel: 'email', budget: 1000, start: 0, end: 86_400_000, attributes: { offer: 'discount' } },
};
export const CLIENTS = new Set(['c1', 'c2']);

export const fakeFeatures: FeatureFunctions = {
  touchFeatureKeys: (touch) => [{ view: 'client_activity', entity: touch.client_id }, { view: 'segment_performance', entity: touch.audience.segment }],
  touchFeatureRecord: (touch, campaign, aggregates) => ({
    channel: touch.channel ?? campaign?.channel ?? null,
    segment: touch.audience.segment,
    client_rate_7d: (aggregates.get(`client_activity:${touch.client_id}`)?.values.rate as number | undefined) ?? null,
  }),
  // what touchFeatureRecord holds under each name, positionally (production compiles a reader that builds no record)
  compileTouchFeatureReader: (names) => (touch, campaign, aggregates) => {
    const record = fakeFeatures.touchFeatureRecord(touch, campaign, aggregates);
    return names.map((n): FeatureValue | undefined => record[n]);
  },
  getOnlineFeatures: async (store, keys) => {
    const values = await store.read(keys);
    return new Map(keys.map((k, i) => [`${k.view}:${k.entity}`, values[i]]));
  },
  lookupCampaigns: async (_store, ids) => new Map(ids.filter((id) => CAMPAIGNS[id]).map((id) => [id, CAMPAIGNS[id] as CampaignProfile])),
  lookupClients: async (_store, ids) => new Set(ids.filter((id) => CLIENTS.has(id))),
};

export function fakePatternFilter(o: PatternFilterOptions): VectorFilter {
  return {
    tenants: ['global', o.clientId],
    conditions: [
      { field: 'visibility_clients', op: 'range', gte: o.minClients },
      ...(o.industry ? [{ field: 'industries', op: 'contains_any' as const, values: [o.industry] }] : []),
      ...(o.minSuccessRate !== undefined ? [{ field: 'success_rate', op: 'range' as const, gte: o.minSuccessRate }] : []),
      ...(o.minSampleSize !== undefined ? [{ field: 'touches', op: 'range' as const, gte: o.minSampleSize }] : []),
      ...(o.channels ? [{ field: 'channels', op: 'contains_any' as const, values: o.channels }] : []),
    ],
  };
}

/** The fake world's miner attributes (its feature records carry `channel` and `segment`) and an identity-only configuration encoder. */
export const FAKE_ATTRIBUTES = [{ key: 'channel', feature: 'channel' }, { key: 'segment', feature: 'segment' }];
export const FAKE_ENCODER = fitConfigurationEncoder([], () => undefined);

/**
 * Patterns: every channel × segment; success rate highest for email·young_urban. search·* proven in
 * finance only, social·students backed by 2 clients; one anti-pattern (segment students, 0.4×) and c1's own
 * private email·families pattern.
 */
export function patterns(): (SuccessPattern & { scope: 'global' | 'private'; visibility_clients: number })[] {
  const out: (SuccessPattern & { scope: 'global' | 'private'; visibility_clients: number })[] = [];
  const make = (id: string, tenant: string, kind: 'success' | 'anti', conditions: Record<string, string>, rate: number, clients: number, industries: string[]) => {
    const touches = 5000;
    const lift = rate / 0.05;
    return {
      id, tenant, kind, centroid: encodeConfiguration(FAKE_ENCODER, conditions), conditions, touches, conversions: Math.round(rate * touches),
      success_rate: rate, ci_low: rate - 0.01, ci_high: rate + 0.01, lift, lift_low: lift * 0.9, lift_high: lift * 1.1, raw_lift: lift,
      distinct_clients: clients, campaigns: 12, industries, channels: conditions.channel ? [conditions.channel] : [], segments: conditions.segment ? [conditions.segment] : [],
      description: Object.values(conditions).join(' · '), scope: tenant === 'global' ? 'global' as const : 'private' as const,
      visibility_clients: tenant === 'global' ? clients - 1 : 1_000_000_000,
    };
  };
  for (const channel of CHANNELS) {
    for (const segment of SEGMENTS) {
      const rate = (channel === 'email' ? 0.15 : 0.06) + (segment === 'young_urban' ? 0.05 : 0);
      const industries = channel === 'search' ? ['finance'] : ['retail', 'finance'];
      const clients = channel === 'social' && segment === 'students' ? 2 : 7;
      out.push(make(`p-${channel}-${segment}`, 'global', 'success', { channel, segment }, rate, clients, industries));
    }
  }
  out.push(make('p-email-families-c1', 'c1', 'success', { channel: 'email', segment: 'families' }, 0.1, 1, ['retail']));
  out.push(make('a-students', 'global', 'anti', { segment: 'students' }, 0.02, 7, ['retail']));
  return out;
}

/** The fake patterns as a vector collection (success patterns only), and, with `config`, the build's catalogue in its home. */
export async function buildPatternCollection(index: VectorIndex, name = 'patterns_v1', config?: AlmanacConfig): Promise<void> {
  const all = patterns();
  await index.ensureCollection({ name, dimension: ENCODER_DIMS, metric: 'cosine', fields: PATTERN_FIELDS.map((f) => ({ name: f.name, type: f.type })) });
  await index.upsert(name, all.filter((p) => p.kind === 'success').map((p) => patternRecord({ ...p, campaignTallies: new Map(), industryStats: new Map() })));
  await index.setAlias('patterns', name);
  if (config) {
    writePatternCatalogue(config, {
      collection: name, createdAt: new Date(0).toISOString(), modelVersion: 1, trainingSetId: 'ts', minClients: 3, roleFeatures: { channel: 'channel', segment: 'segment' },
      configurations: all.length, attributes: FAKE_ATTRIBUTES, encoder: FAKE_ENCODER,
      mining: { tested: 0, discovered: 0, threshold: 0, conditions: 0, touches: 0, ms: 0 }, patterns: all,
    });
    markCurrentCatalogue(config, name);
  }
}

export function fakeGraph(overrides: Partial<GraphStore> = {}): GraphStore {
  return {
    kind: 'fake', init: async () => {}, close: async () => {}, mergeNodes: async () => {}, mergeEdges: async () => {}, deleteNodes: async () => {},
    patternEvidence: async (ids, industry) => new Map(ids.map((id): [string, PatternEvidence] => {
      const finance = id.startsWith('p-search');
      return [id, { patternId: id, clients: 6, campaigns: 12, industries: finance ? ['finance'] : ['retail', 'finance'], clientsInIndustry: finance || industry !== 'retail' ? 0 : 4 }];
    })),
    similarPatterns: async () => [], patternCampaigns: async () => [], counts: async () => ({ nodes: {}, edges: {} }), ping: async () => '24 patterns',
    ...overrides,
  };
}

export function fakeEventLog(): EventLog & { records: AppendRecord[] } {
  const records: AppendRecord[] = [];
  const ids = new Set<string>();
  return {
    kind: 'fake', capabilities: new Set(['idempotent-ids']), records,
    init: async () => {}, close: async () => {}, ensureTopic: async () => {},
    offsets: async () => [{ partition: 0, start: 0, end: records.length }],
    ping: async () => `${records.length} events in 1 partitions`,
    append: async (_topic, batch) => batch.map((r) => {
      if (ids.has(r.id)) return { status: 'duplicate' as const, id: r.id };
      ids.add(r.id);
      records.push(r);
      return { status: 'appended' as const, partition: 0, offset: records.length - 1 };
    }),
    read: async () => [], replay: async function* () {}, consumer: async () => { throw new Error('unused'); }, groupOffsets: async () => new Map(), applyRetention: async () => 0,
  };
}

export interface FakeWorld {
  deps: ServingDeps;
  config: AlmanacConfig;
  registry: ReturnType<typeof fakeRegistry>;
  store: ReturnType<typeof fakeOnlineStore>;
  log: ReturnType<typeof fakeEventLog>;
  closedScorers: number[];
  loads: number[];
  /** Every call of every scorer loaded (which method: the encoded path or records). */
  scorerCalls: ScorerCall[];
  /** A tenant key for c1 and c2 (registered; cmp1 is c1's) and an admin key. */
  keys: TestKeys;
}

export async function fakeDeps(overrides: Partial<ServingDeps> = {}): Promise<FakeWorld> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-serve-'));
  const config = loadConfig({ env: {}, overrides: { home, logLevel: 'silent', serving: { reloadIntervalMs: 60_000, timeouts: { graph: 50, vector: 200 } } } });
  const registry = fakeRegistry([fakeModel(1, ['champion'])]);
  const store = fakeOnlineStore({ 'client_activity:c1': { timestamp: 1, values: { rate: 0.01 } } });
  const log = fakeEventLog();
  const vectorIndex = createEmbeddedVectorIndex(config);
  await vectorIndex.init();
  await buildPatternCollection(vectorIndex, 'patterns_v1', config);
  const closedScorers: number[] = [];
  const loads: number[] = [];
  const scorerCalls: ScorerCall[] = [];
  const tenants = createEmbeddedTenantStore(config);
  await tenants.init();
  const keys = await createTestKeys(tenants, [...CLIENTS]);
  await tenants.claimCampaigns('c1', ['cmp1']);
  const deps: ServingDeps = {
    config, registry, onlineStore: store, vectorIndex, graph: fakeGraph(), cache: createEmbeddedResultCache(config), eventLog: log, tenants,
    loadScorer: async (m) => { loads.push(m.version); return fakeScorer(m, closedScorers, { calls: scorerCalls }); },
    features: fakeFeatures,
    appendEvents: async (l, events) => {
      const acks = await l.append('almanac.events', events.map((e) => ({ id: eventIdentity(e), key: e.client_id, timestamp: e.ts, value: JSON.stringify(e) })));
      return { accepted: acks.filter((a) => a.status === 'appended').length, duplicates: acks.filter((a) => a.status === 'duplicate').length };
    },
    patternFilter: fakePatternFilter,
    metrics: createMetrics(false),
    ...overrides,
  };
  return { deps, config, registry, store, log, closedScorers, loads, scorerCalls, keys };
}

export const PLAN = {
  client_id: 'c1', industry: 'retail', objective: 'sales', channel: 'display', budget: 5000,
  start: '2024-05-01T00:00:00Z', end: '2024-05-31T00:00:00Z', attributes: { offer: 'discount' },
  audience: [{ segment: 'young_urban', age_band: '25-34' }, { segment: 'families' }],
};
