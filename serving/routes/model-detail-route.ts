/** GET /v1/models/:version (admin): one registry entry as GET /v1/models lists it, with its ROC and calibration curves. */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { ModelVersion } from '../../models/registry/model-registry.ts';
import { authResponses, notFoundResponse } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { curvesSchema, modelVersionParamsSchema } from '../schemas/model-admin-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import type { ServingRuntime } from '../serving-runtime.ts';
import { modelEntry } from './models-route.ts';

/** The curves the registry keeps for a version; null for one registered before ROC curves were stored (or without metrics). */
export function modelCurves(v: ModelVersion): { roc: [number, number][]; calibration: { predicted: number; observed: number; count: number }[] } | null {
  const roc = v.metrics.roc_curve;
  if (roc === undefined || roc.length === 0) return null;
  return { roc, calibration: v.metrics.calibration.map((b) => ({ predicted: b.mean_predicted, observed: b.observed_rate, count: b.count })) };
}

export function registerModelDetailRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.get('/v1/models/:version', {
    config: { auth: 'admin' },
    schema: {
      summary: 'One model version: aliases, metrics, leaderboard, lineage, and the holdout ROC and calibration curves (admin key)',
      description: '`curves` is null for a version registered before curves were stored, or registered from outside without metrics.',
      tags: ['models'], security: [{ bearer: [] }], params: docSchema(modelVersionParamsSchema),
      response: { 200: { type: 'object', additionalProperties: true, properties: { curves: docSchema(curvesSchema, 'output') } }, 400: docSchema(errorSchema), ...notFoundResponse(), ...authResponses() },
    },
  }, async (request) => {
    const { version } = parseOrThrow(modelVersionParamsSchema, request.params, 'model version', 'params');
    const model = await rt.deps.registry.get(version);
    if (model === undefined) throw notFound('model version', String(version));
    return { ...modelEntry(model), curves: modelCurves(model) };
  });
}
