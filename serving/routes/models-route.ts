import type { FastifyInstance } from 'fastify';
import type { ModelVersion } from '../../models/registry/model-registry.ts';
import type { ServingRuntime } from '../serving-runtime.ts';
import { authResponses } from '../schemas/auth-responses.ts';

/** One version as GET /v1/models lists it (the leaderboard apart from the metrics; the ROC curve only in GET /v1/models/:version). */
export function modelEntry({ metrics: { leaderboard, roc_curve: _roc, ...metrics }, ...v }: ModelVersion) {
  return {
    version: v.version, name: v.name, created_at: v.createdAt, aliases: v.aliases, family: metrics.family ?? null,
    leaderboard: leaderboard ?? [], metrics, lineage: v.lineage,
    features: v.signature.features.map((f) => ({ name: f.name, type: f.type })),
  };
}

export function registerModelsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.get('/v1/models', {
    config: { auth: 'admin' },
    schema: { summary: 'The model registry: versions, aliases, metrics, lineage; and what this server serves (admin key)', tags: ['models'], security: [{ bearer: [] }], response: authResponses() },
  }, async () => {
    const versions = await rt.deps.registry.list();
    return {
      serving: { model_version: rt.champion.version ?? null, index_version: rt.indexVersion ?? null },
      versions: versions.map(modelEntry),
    };
  });
}
