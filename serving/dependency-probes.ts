/**
 * One health probe per dependency, each exercising it for real: the champion loaded and the
 * registry's alias file read; a known online-store key read; the event log's append lock taken;
 * the pattern index alias resolved, its collection loaded and searched; the build's catalogue
 * read; a graph query run; the cache pinged. A probe resolves with a short detail or throws the
 * cause; messages name files relative to the home, never by the server's absolute path.
 *
 * Which route needs what (ROUTE_NEEDS) decides readiness: a route is down when a dependency it
 * needs is down, degraded when one it has a fallback for is (search without the vector index
 * serves `popular_patterns`, without the graph `vector_only`).
 */
import { isAlmanacError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { withTimeout } from '../core/resilience/timeout.ts';
import { EVENTS_TOPIC } from '../pipelines/event-log/event-log.ts';
import type { DependencyName } from './dependency-guard.ts';
import { homeRelative } from './home-relative.ts';
import { PATTERNS_ALIAS } from './pattern-alias.ts';
import { liveCatalogue } from './search/live-catalogue.ts';
import type { ServingDeps } from './serving-deps.ts';

/** What the probes read of the serving runtime (serving-runtime.ts), structurally (no import circle). */
export interface HealthSubject {
  readonly deps: ServingDeps;
  readonly champion: { readonly version: number | undefined };
  readonly modelLoadError: string | undefined;
  readonly indexVersion: string | undefined;
  readonly guards: Record<DependencyName, { readonly state: string }>;
  readonly log: Logger;
}

export const HEALTH_DEPENDENCIES = ['model', 'registry', 'onlineStore', 'eventLog', 'vector', 'catalogue', 'graph', 'cache'] as const;
export type HealthDependency = (typeof HEALTH_DEPENDENCIES)[number];

export const ROUTES = ['predict', 'search', 'events', 'models'] as const;
export type ServedRoute = (typeof ROUTES)[number];

/** What each route cannot serve without (`needs`) and what it serves a fallback without (`falls back`). */
export const ROUTE_NEEDS: Record<ServedRoute, { needs: HealthDependency[]; fallsBack: HealthDependency[] }> = {
  predict: { needs: ['model', 'onlineStore'], fallsBack: [] },
  search: { needs: ['model', 'onlineStore', 'catalogue'], fallsBack: ['vector', 'graph'] },
  events: { needs: ['eventLog'], fallsBack: [] },
  models: { needs: ['registry'], fallsBack: [] },
};

/** Readiness as a whole is predict's: the one thing every caller needs. */
export const REQUIRED: ReadonlySet<HealthDependency> = new Set(ROUTE_NEEDS.predict.needs);

/** A probe that has not answered after this long counts as down. */
export const PROBE_TIMEOUT_MS = 1_000;

type Probe = (rt: HealthSubject) => Promise<string>;

const fail = (message: string): never => {
  throw new Error(message);
};

const PROBES: Record<HealthDependency, Probe> = {
  async model(rt) {
    const version = rt.champion.version;
    if (version === undefined) {
      return fail(rt.modelLoadError !== undefined ? `the champion failed to load: ${rt.modelLoadError}` : 'no champion model loaded; train one (`almanac train`)');
    }
    return rt.modelLoadError !== undefined ? `v${version} (kept: the last reload failed: ${rt.modelLoadError})` : `v${version}`;
  },
  async registry(rt) {
    const champion = await rt.deps.registry.resolve('champion');
    return champion === undefined ? 'no champion yet' : `champion v${champion.version}`;
  },
  onlineStore: (rt) => rt.deps.onlineStore.ping(),
  async eventLog(rt) {
    try {
      return await rt.deps.eventLog.ping(EVENTS_TOPIC);
    } catch (e) {
      if (isAlmanacError(e) && e.code === 'ALMANAC_ERR_LOG_UNKNOWN_TOPIC') return 'no events yet';
      throw e;
    }
  },
  async vector(rt) {
    const index = rt.deps.vectorIndex;
    const collection = (await index.resolveAlias(PATTERNS_ALIAS)) ?? fail(`alias '${PATTERNS_ALIAS}' not set; run \`almanac index\``);
    const count = await index.count(collection).catch((e: unknown) => fail(`${(e as Error).message}; rebuild it with \`almanac index\``));
    const probe = firstCentroid(rt);
    if (probe !== undefined && count > 0) await index.search(collection, { vector: probe, topK: 1 });
    return `${collection}: ${count} patterns`;
  },
  async catalogue(rt) {
    const catalogue = liveCatalogue(rt);
    return `${catalogue.collection}: ${catalogue.patterns.length} patterns`;
  },
  graph: (rt) => rt.deps.graph.ping(),
  async cache(rt) {
    return (await rt.deps.cache.ping()) ? rt.deps.cache.kind : fail('ping failed');
  },
};

/** A vector of the index's dimension for the tiny search: the live catalogue's first pattern. */
function firstCentroid(rt: HealthSubject): number[] | undefined {
  try {
    return liveCatalogue(rt).patterns.find((p) => Array.isArray(p.centroid))?.centroid;
  } catch {
    return undefined; // the catalogue's own probe reports it
  }
}

/** Runs one probe within PROBE_TIMEOUT_MS. @returns the detail; @throws Error with the home-relative cause. */
export async function runProbe(rt: HealthSubject, dependency: HealthDependency): Promise<string> {
  try {
    return await withTimeout(() => PROBES[dependency](rt), PROBE_TIMEOUT_MS, dependency);
  } catch (e) {
    throw new Error(homeRelative(rt.deps.config.home, (e as Error).message), { cause: e });
  }
}
