import type { FastifyInstance } from 'fastify';
import type { ServingRuntime } from '../serving-runtime.ts';
import { authResponses } from '../schemas/auth-responses.ts';

export function registerModelsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.get('/v1/models', {
    config: { auth: 'admin' },
    schema: { summary: 'The model registry: versions, aliases, metrics, lineage; and what this server serves (admin key)', tags: ['models'], security: [{ bearer: [] }], response: authResponses() },
  }, async () => {
    const versions = await rt.deps.registry.list();
    return {
      serving: { model_version: rt.champion.version ?? null, index_version: rt.indexVersion ?? null },
      versions: versions.map(({ metrics: { leaderboard, ...metrics }, ...v }) => ({
        version: v.version, name: v.name, created_at: v.createdAt, aliases: v.aliases, family: metrics.family ?? null,
        leaderboard: leaderboard ?? [], metrics, lineage: v.lineage,
        features: v.signature.features.map((f) => ({ name: f.name, type: f.type })),
      })),
    };
  });
}
