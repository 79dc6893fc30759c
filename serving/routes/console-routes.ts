/**
 * The JSON routes the web console reads beside the REST API (contract: whoami, pattern browse and
 * detail, model detail with curves, promote/rollback, DAG runs, feature views, the event log, the
 * service's figures). Registered together by buildApp.
 */
import type { FastifyInstance } from 'fastify';
import type { ServingRuntime } from '../serving-runtime.ts';
import { registerDagRunsRoute } from './dag-runs-route.ts';
import { registerModelDetailRoute } from './model-detail-route.ts';
import { registerModelPromotionRoutes } from './model-promotion-route.ts';
import { registerPipelineStatusRoutes } from './pipeline-status-routes.ts';
import { registerPatternBrowseRoutes } from './pattern-browse-route.ts';
import { registerServiceRoute } from './service-route.ts';
import { registerWhoamiRoute } from './whoami-route.ts';

export function registerConsoleRoutes(app: FastifyInstance, rt: ServingRuntime): void {
  registerWhoamiRoute(app);
  registerModelDetailRoute(app, rt);
  registerModelPromotionRoutes(app, rt);
  registerPatternBrowseRoutes(app, rt);
  registerDagRunsRoute(app, rt);
  registerPipelineStatusRoutes(app, rt);
  registerServiceRoute(app, rt);
}
