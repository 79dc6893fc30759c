/**
 * Builds ServingDeps from configuration: each port by its factory (adapter picked by config),
 * the feature functions training uses, the event append of ingest and the pattern filter.
 * Heavy modules load lazily (pattern search reads the build's catalogue itself:
 * serving/search/live-catalogue.ts).
 */
import type { AlmanacConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { createMetrics } from '../core/metrics.ts';
import { createGraphStore } from '../embeddings/graph-store/create-graph-store.ts';
import { createVectorIndex } from '../embeddings/vector-index/create-vector-index.ts';
import { createOnlineStore } from '../features/online-store/create-online-store.ts';
import { createEventLog } from '../pipelines/event-log/create-event-log.ts';
import { createResultCache } from './cache/create-result-cache.ts';
import { createTenantStore } from '../core/tenants/create-tenant-store.ts';
import { createAuditLogger } from './audit-log.ts';
import type { ServingDeps } from './serving-deps.ts';

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
  const onlineStore = await createOnlineStore(config);
  const vectorIndex = await createVectorIndex(config);
  const graph = await createGraphStore(config);
  const cache = await createResultCache(config);
  const eventLog = await createEventLog(config);
  const tenants = await createTenantStore(config);
  await Promise.all([onlineStore.init(), vectorIndex.init(), graph.init(), cache.init(), eventLog.init(), tenants.init()]);
  await ingest.ensureEventsTopic(eventLog, config);
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
    metrics: createMetrics(),
    logger: createLogger(config.logLevel, 'almanac-serve'),
    audit: createAuditLogger(config),
    async close() {
      await Promise.allSettled([onlineStore.close(), vectorIndex.close(), graph.close(), cache.close(), eventLog.close(), tenants.close()]);
    },
  };
}
