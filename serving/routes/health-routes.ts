/**
 * GET /health/live (the process answers; open) and GET /health/ready: a fresh round of every
 * dependency's real check (serving/health-monitor.ts). 503 when predict cannot serve (the model or
 * the online store is down); 200 `degraded` when another route is down or on a fallback (a damaged
 * event log blocks events, not predict and search). `?route=predict|search|events|models` asks for
 * one route: 503 when that route is down. The routes' and dependencies' states (with the causes,
 * event counts and index names) only for an admin key.
 */
import type { FastifyInstance } from 'fastify';
import { invalidInput } from '../../core/errors.ts';
import { ROUTES, type ServedRoute } from '../dependency-probes.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

export function registerHealthRoutes(app: FastifyInstance, rt: ServingRuntime): void {
  app.get('/health/live', { config: { auth: 'open' }, schema: { summary: 'Liveness (no key needed)', tags: ['health'], security: [] } }, async () => ({ status: 'live' }));
  app.get('/health/ready', {
    config: { auth: 'optional' },
    schema: {
      summary: 'Readiness: 503 when predict cannot serve (or, with ?route=, when that route cannot); `degraded` when a route is down or on a fallback; each route and dependency only with an admin key',
      tags: ['health'],
      security: [{}, { bearer: [] }],
      querystring: { type: 'object', properties: { route: { type: 'string', enum: [...ROUTES] } } },
    },
  }, async (req, reply) => {
    const route = (req.query as { route?: unknown } | undefined)?.route;
    if (route !== undefined && !(ROUTES as readonly unknown[]).includes(route)) {
      throw invalidInput(`unknown route '${String(route)}': use one of ${ROUTES.join(', ')}`, [{ path: 'route', reason: `must be one of ${ROUTES.join(', ')}` }]);
    }
    const report = await rt.health.check();
    const routeState = route === undefined ? undefined : report.routes[route as ServedRoute];
    const ok = routeState === undefined ? report.status !== 'not_ready' : routeState !== 'down';
    const status = routeState === undefined ? report.status : routeState === 'down' ? 'not_ready' : routeState === 'up' ? 'ready' : 'degraded';
    const admin = req.principal?.scopes.has('admin') === true;
    return reply.status(ok ? 200 : 503).send(admin ? { status, ...(route === undefined ? {} : { route }), routes: report.routes, dependencies: report.dependencies } : { status });
  });
}
