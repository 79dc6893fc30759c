/**
 * Builds ServingDeps from configuration: each port by its factory (adapter picked by config),
 * the feature functions training uses, the event append of ingest and the pattern filter.
 * Heavy modules load lazily (pattern search reads the build's catalogue itself:
 * serving/search/live-catalogue.ts). A store that cannot be opened (a corrupt graph, a damaged log
 * segment) is replaced by a stand-in that fails with the cause (serving/degraded-start.ts): the
 * server starts in its fallbacks and the health round at start names what is down.
 */
import type { AlmanacConfig } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { withTimeout } from '../core/resilience/timeout.ts';
import { createMetrics } from '../core/metrics.ts';
import { createGraphStore } from '../embeddings/graph-store/create-graph-store.ts';
import { createVectorIndex } from '../embeddings/vector-index/create-vector-index.ts';
import { createOnlineStore } from '../features/online-store/create-online-store.ts';
import { createEventLog } from '../pipelines/event-log/create-event-log.ts';

import { createResultCache } from './cache/create-result-cache.ts';
import { createTenantStore } from '../core/tenants/create-tenant-store.ts';
import { createAuditLogger } from './audit-log.ts';
import type { OfflineStore } from '../features/offline-store/offline-store.ts';
import type { ServingDeps } from './serving-deps.ts';
import { openOrStandIn } from './degraded-start.ts';

/** How long one store may take to close at shutdown before the server stops waiting for it (a client stuck reconnecting to an engine that went away). */
export const STORE_CLOSE_MS = 5_000;

/**
 * Closes every store at once, each bounded by `ms`: one that fails or hangs is logged by name and
 * left (its sockets go with the process), so shutdown always ends.
 */
export async function closeAll(closing: [string, (() => Promise<void>) | undefined][], ms: number, logger: Pick<Logger, 'warn'>): Promise<void> {
  const results = await Promise.allSettled(closing.map(([name, close]) => close && withTimeout(() => close(), ms, name)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') logger.warn({ store: closing[i]?.[0], err: String((r.reason as Error)?.message ?? r.reason) }, 'a store did not close cleanly at shutdown');
  });
}

export async function createServingDeps(config: AlmanacConfig): Promise<ServingDeps> {
  const [{ createModelRegistry }, { loadScorer }, touchFeatures, onlineFeatures, directory, ingest, filter] = await Promise.all([
    import('../models/registry/create-model-registry.ts'),
    import('../models/inference/onnx-scorer.ts'),
    import('../features/touch-features.ts'),
    import('../features/online-features.ts'),
    import('../features/campaign-directory.ts'),
    import('../pipelines/ingest/ingest-events.ts'),
    import('../embeddings/patterns/pattern-filter.ts'),
  ]);
  const registry = await createModelRegistry(config);
  const cache = await createResultCache(config);
  const tenants = await createTenantStore(config);
  const home = config.home;
  const [online, vector, graphStore, log] = await Promise.all([
    openOrStandIn(home, 'the online store', await createOnlineStore(config)),
    openOrStandIn(home, 'the vector index', await createVectorIndex(config)),
    openOrStandIn(home, 'the graph store', await createGraphStore(config)),
    openOrStandIn(home, 'the event log', await createEventLog(config), (l) => ingest.ensureEventsTopic(l, config)),
    cache.init(),
    tenants.init(),
  ]);
  const [onlineStore, vectorIndex, graph, eventLog] = [online.port, vector.port, graphStore.port, log.port];
  // the offline store (DuckDB) is opened only when the console's feature-view page first asks
  let offline: Promise<OfflineStore> | undefined;
  const openOffline = async (): Promise<OfflineStore> => {
    const store = await (await import('../features/offline-store/create-offline-store.ts')).createOfflineStore(config);
    await store.init();
    return store;
  };
  const logger = createLogger(config.logLevel, 'almanac-serve');
  return {
    config, registry, loadScorer, onlineStore, vectorIndex, graph, cache, eventLog, tenants,
    features: {
      touchFeatureKeys: touchFeatures.touchFeatureKeys,
      touchFeatureRecord: touchFeatures.touchFeatureRecord,
      compileTouchFeatureReader: touchFeatures.compileTouchFeatureReader,
      getOnlineFeatures: onlineFeatures.getOnlineFeatures,
      lookupCampaigns: directory.lookupCampaigns,
      lookupClients: directory.lookupClients,
    },
    appendEvents: ingest.appendEvents,
    patternFilter: filter.patternFilter,
    offlineRowStats: async (view) => {
      offline ??= openOffline().catch((e: unknown) => { offline = undefined; throw e; });
      return (await offline).rowStats(view);
    },
    metrics: createMetrics(),
    logger,
    audit: createAuditLogger(config),
    async close() {
      const closing: [string, (() => Promise<void>) | undefined][] = [
        ['offline store', offline && (async () => (await offline)?.close())], ['online store', () => onlineStore.close()],
        ['vector index', () => vectorIndex.close()], ['graph store', () => graph.close()], ['result cache', () => cache.close()],
        ['event log', () => eventLog.close()], ['tenant store', () => tenants.close()],
      ];
      await closeAll(closing, STORE_CLOSE_MS, logger);
    },
  };
}
