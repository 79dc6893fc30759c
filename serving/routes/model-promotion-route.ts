/**
 * POST /v1/models/:version/promote and POST /v1/models/rollback (admin). A promotion goes through
 * the registry's promote, which judges it with the one gate (models/registry/promotion-gate.ts)
 * under the registry's lock; a rejection is a decision (200, promoted: false, the gate's reasons),
 * `force` promotes past it. Either way the server then reloads at once, so the next request is
 * served by the new champion (other replicas follow on their reload poll).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAlmanacError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { GateDecision } from '../../models/registry/model-registry.ts';
import { authResponses, notFoundResponse } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { modelVersionParamsSchema, promoteBodySchema, promoteResponseSchema, rollbackBodySchema, rollbackResponseSchema } from '../schemas/model-admin-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import type { ServingRuntime } from '../serving-runtime.ts';
import type { z } from 'zod';

type PromoteResponse = z.output<typeof promoteResponseSchema>;

const bodyOf = (request: FastifyRequest): unknown => request.body ?? {};

export function registerModelPromotionRoutes(app: FastifyInstance, rt: ServingRuntime): void {
  const errors = { 400: docSchema(errorSchema), ...notFoundResponse(), 409: { ...docSchema(errorSchema), description: 'Already champion, or no previous champion to roll back to (ALMANAC_ERR_INPUT_CONFLICT)' }, ...authResponses() };
  app.post('/v1/models/:version/promote', {
    config: { auth: 'admin' },
    schema: {
      summary: 'Make a version champion if the promotion gate passes it (or with force); the server serves it at once (admin key)',
      tags: ['models'], security: [{ bearer: [] }], params: docSchema(modelVersionParamsSchema), body: docSchema(promoteBodySchema),
      response: { 200: docSchema(promoteResponseSchema, 'output'), ...errors },
    },
  }, async (request): Promise<PromoteResponse> => {
    const { version } = parseOrThrow(modelVersionParamsSchema, request.params, 'model version', 'params');
    const { alias, force } = parseOrThrow(promoteBodySchema, bodyOf(request), 'promotion request');
    let out: PromoteResponse;
    try {
      const result = await rt.deps.registry.promote(version, { force });
      const reasons = result.decision?.reasons ?? [result.reason];
      out = { promoted: result.promoted, reasons: force && result.decision?.passed === false ? ['forced past the gate', ...reasons] : reasons, version, alias };
    } catch (e) {
      if (!isAlmanacError(e) || e.code !== 'ALMANAC_ERR_MODEL_GATE_FAILED') throw e;
      const decision = (e.details as { decision?: GateDecision }).decision;
      out = { promoted: false, reasons: decision?.reasons ?? [e.message], version, alias };
    }
    request.auditDetail = { model_version: version, promoted: out.promoted, forced: force };
    if (out.promoted) await rt.reload();
    return out;
  });

  app.post('/v1/models/rollback', {
    config: { auth: 'admin' },
    schema: {
      summary: 'Point champion back at the previous champion (one step); the server serves it at once (admin key)',
      tags: ['models'], security: [{ bearer: [] }], body: docSchema(rollbackBodySchema),
      response: { 200: docSchema(rollbackResponseSchema, 'output'), ...errors },
    },
  }, async (request) => {
    const { alias } = parseOrThrow(rollbackBodySchema, bodyOf(request), 'rollback request');
    const { champion, previous } = await rt.deps.registry.rollback();
    request.auditDetail = { model_version: champion, rolled_back_from: previous };
    await rt.reload();
    return { version: champion, alias };
  });
}
