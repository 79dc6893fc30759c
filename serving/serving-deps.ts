/**
 * What the REST service needs, as ports and functions: each is injected so that tests can fake
 * any one of them (a slow graph, a dead vector index) and the server can be built from config
 * with `createServingDeps(config)` (serving/create-serving-deps.ts).
 */
import type { AlmanacConfig } from '../core/config.ts';
import type { AlmanacEvent } from '../core/domain/event.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { GraphStore } from '../embeddings/graph-store/graph-store.ts';
import type { VectorFilter, VectorIndex } from '../embeddings/vector-index/vector-index.ts';
import type { OnlineKey, OnlineStore, OnlineValue } from '../features/online-store/online-store.ts';
import type { FeatureRecord, FeatureValue } from '../features/training-set.ts';
import type { ModelRegistry, ModelVersion } from '../models/registry/model-registry.ts';
import type { Scorer } from '../models/inference/scorer.ts';
import type { EventLog } from '../pipelines/event-log/event-log.ts';
import type { CampaignInput, TouchInput } from '../features/touch-features.ts';
import type { PatternFilterOptions } from '../embeddings/patterns/pattern-filter.ts';
import type { ResultCache } from './cache/result-cache.ts';
import type { TenantStore } from '../core/tenants/tenant-store.ts';

/** A touch and a campaign as the feature code takes them: the very types of features/touch-features.ts. */
export type { CampaignInput, TouchInput } from '../features/touch-features.ts';

/** A known campaign (from the online store's campaign profile). */
export type CampaignProfile = CampaignInput & { client_id: string };

/** The feature-store functions serving uses — the same ones training uses (owner: features/). */
export interface FeatureFunctions {
  touchFeatureKeys(touch: TouchInput, campaign: CampaignInput | undefined): OnlineKey[];
  touchFeatureRecord(touch: TouchInput, campaign: CampaignInput | undefined, aggregates: Map<string, OnlineValue | undefined>): FeatureRecord;
  /**
   * Optional fast path: a reader of the given feature names' values (what touchFeatureRecord would
   * hold under them, positionally), compiled once per signature; serving then encodes without records.
   */
  compileTouchFeatureReader?(names: readonly string[]): (touch: TouchInput, campaign: CampaignInput | undefined, aggregates: Map<string, OnlineValue | undefined>) => (FeatureValue | undefined)[];
  /** One batched read of many keys, keyed as touchFeatureRecord expects. */
  getOnlineFeatures(store: OnlineStore, keys: OnlineKey[], now?: number): Promise<Map<string, OnlineValue | undefined>>;
  /** Campaign profiles by id (missing ids are absent). */
  lookupCampaigns(store: OnlineStore, campaignIds: string[]): Promise<Map<string, CampaignProfile>>;
  /** Client ids among `clientIds` that are known. */
  lookupClients(store: OnlineStore, clientIds: string[]): Promise<Set<string>>;
}

/** The k-anonymity pattern filter's options (embeddings/patterns/pattern-filter.ts). */
export type { PatternFilterOptions } from '../embeddings/patterns/pattern-filter.ts';

export interface ServingDeps {
  config: AlmanacConfig;
  registry: ModelRegistry;
  loadScorer(version: ModelVersion): Promise<Scorer>;
  onlineStore: OnlineStore;
  vectorIndex: VectorIndex;
  graph: GraphStore;
  cache: ResultCache;
  eventLog: EventLog;
  /** Tenants, API keys and campaign owners (core/tenants/). */
  tenants: TenantStore;
  features: FeatureFunctions;
  /** Valid events are appended (idempotent by event_id). */
  appendEvents(log: EventLog, events: AlmanacEvent[]): Promise<{ accepted: number; duplicates: number }>;
  /** The filter pushed down to the vector index (tenant / k-anonymity + the request's filters). */
  patternFilter(options: PatternFilterOptions): VectorFilter;
  metrics: Metrics;
  logger?: Logger;
  /** The audit stream (every write and admin action: key id, tenant, route, outcome; never a secret). */
  audit?: Logger;
  /**
   * Offline rows of a feature view (deduplicated) and its latest timestamp (epoch ms), for the
   * console; the store is opened on first use. Absent: the console shows null.
   */
  offlineRowStats?(view: string): Promise<{ rows: number; lastTimestamp: number | undefined }>;
  /** Closes every port (the server calls it on shutdown). */
  close?(): Promise<void>;
}
