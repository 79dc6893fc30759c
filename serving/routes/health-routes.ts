/**
 * GET /health/live (the process answers; open) and GET /health/ready (503 when a required
 * dependency — model, online store, event log — is down; each dependency's state, with event
 * counts and index names, only for an admin key). The vector index, graph and cache
 * have fallbacks, so they are reported but not required.
 */
import type { FastifyInstance } from 'fastify';
import { isAlmanacError } from '../../core/errors.ts';
import { withTimeout } from '../../core/resilience/timeout.ts';
import { EVENTS_TOPIC } from '../../pipelines/event-log/event-log.ts';
import type { DependencyName } from '../dependency-guard.ts';
import { PATTERNS_ALIAS, type ServingRuntime } from '../serving-runtime.ts';

const CHECK_TIMEOUT_MS = 1_000;

interface DependencyState {
  state: 'up' | 'down';
  required: boolean;
  circuit: string;
  detail?: string;
}

export function registerHealthRoutes(app: FastifyInstance, rt: ServingRuntime): void {
  app.get('/health/live', { config: { auth: 'open' }, schema: { summary: 'Liveness (no key needed)', tags: ['health'], security: [] } }, async () => ({ status: 'live' }));
  app.get('/health/ready', {
    config: { auth: 'optional' },
    schema: { summary: 'Readiness (503 when a required dependency is down); the state of each dependency only with an admin key', tags: ['health'], security: [{}, { bearer: [] }] },
  }, async (req, reply) => {
    const checks: [DependencyName, boolean, () => Promise<string | undefined>][] = [
      ['model', true, async () => (rt.champion.version === undefined ? fail('no champion model loaded') : `v${rt.champion.version}`)],
      ['onlineStore', true, async () => ((await rt.deps.onlineStore.ping()) ? undefined : fail('ping failed'))],
      ['eventLog', true, () => eventLogCheck(rt)],
      ['vector', false, async () => {
        if (!(await rt.deps.vectorIndex.ping())) fail('ping failed');
        const collection = await rt.deps.vectorIndex.resolveAlias(PATTERNS_ALIAS);
        return collection ?? fail(`alias '${PATTERNS_ALIAS}' not set; run \`almanac index\``);
      }],
      ['graph', false, async () => ((await rt.deps.graph.ping()) ? undefined : fail('ping failed'))],
      ['cache', false, async () => ((await rt.deps.cache.ping()) ? rt.deps.cache.kind : fail('ping failed'))],
    ];
    const results = await Promise.all(checks.map(async ([name, required, check]) => [name, await runCheck(rt, name, required, check)] as const));
    const dependencies = Object.fromEntries(results);
    const ready = results.every(([, s]) => s.state === 'up' || !s.required);
    const admin = req.principal?.scopes.has('admin') === true;
    return reply.status(ready ? 200 : 503).send(admin ? { status: ready ? 'ready' : 'not_ready', dependencies } : { status: ready ? 'ready' : 'not_ready' });
  });
}

async function runCheck(rt: ServingRuntime, name: DependencyName, required: boolean, check: () => Promise<string | undefined>): Promise<DependencyState> {
  const circuit = rt.guards[name].state;
  try {
    const detail = await withTimeout(() => check(), CHECK_TIMEOUT_MS, name);
    rt.deps.metrics.dependencyUp.set({ dependency: name }, 1);
    return { state: 'up', required, circuit, ...(detail ? { detail } : {}) };
  } catch (e) {
    rt.deps.metrics.dependencyUp.set({ dependency: name }, 0);
    return { state: 'down', required, circuit, detail: (e as Error).message };
  }
}

async function eventLogCheck(rt: ServingRuntime): Promise<string | undefined> {
  try {
    const offsets = await rt.deps.eventLog.offsets(EVENTS_TOPIC);
    return `${offsets.reduce((n, p) => n + p.end - p.start, 0)} events in ${offsets.length} partitions`;
  } catch (e) {
    if (isAlmanacError(e) && e.code === 'ALMANAC_ERR_LOG_UNKNOWN_TOPIC') return 'no events yet';
    throw e;
  }
}

function fail(message: string): never {
  throw new Error(message);
}
