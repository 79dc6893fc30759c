/**
 * The server's view of its dependencies: every probe (dependency-probes.ts) runs at start and then
 * every `serving.healthCheckIntervalMs` in the background, so a dependency that breaks while the
 * server runs is noticed within that interval, not on the next request. Each round sets
 * `almanac_dependency_up{dependency}` (1/0) and logs state changes: one warn line per dependency
 * that is (or goes) down, naming the cause, the file relative to the home and the fix; an info
 * line when it is back. GET /health/ready runs a fresh round.
 */
import { HEALTH_DEPENDENCIES, REQUIRED, ROUTE_NEEDS, ROUTES, runProbe, type HealthDependency, type HealthSubject, type ServedRoute } from './dependency-probes.ts';
import type { DependencyName } from './dependency-guard.ts';

export interface DependencyState {
  state: 'up' | 'down';
  /** Readiness as a whole fails when a required one is down (predict's needs). */
  required: boolean;
  /** The circuit breaker's state, for the dependencies requests call through a guard. */
  circuit?: string;
  detail?: string;
}

export type RouteState = 'up' | 'degraded' | 'down';

export interface HealthReport {
  /** 'not_ready' when a required dependency is down; 'degraded' when some route is down or on a fallback. */
  status: 'ready' | 'degraded' | 'not_ready';
  routes: Record<ServedRoute, RouteState>;
  dependencies: Record<HealthDependency, DependencyState>;
}

const GUARDED: ReadonlySet<string> = new Set<DependencyName>(['onlineStore', 'vector', 'graph', 'cache', 'eventLog', 'model']);

export class HealthMonitor {
  private last: HealthReport | undefined;
  private round: Promise<HealthReport> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly rt: HealthSubject) {}

  /** The latest round's report (undefined before the first). */
  get latest(): HealthReport | undefined {
    return this.last;
  }

  /** One round of every probe (concurrent calls share it). Never throws. */
  check(): Promise<HealthReport> {
    this.round ??= this.runRound().finally(() => { this.round = undefined; });
    return this.round;
  }

  /** Checks every `intervalMs` (unref'd: never keeps the process alive). */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async runRound(): Promise<HealthReport> {
    const states = await Promise.all(HEALTH_DEPENDENCIES.map(async (name) => [name, await this.probe(name)] as const));
    const dependencies = Object.fromEntries(states) as Record<HealthDependency, DependencyState>;
    const routes = Object.fromEntries(ROUTES.map((r) => [r, routeState(r, dependencies)])) as Record<ServedRoute, RouteState>;
    const status = states.some(([, s]) => s.required && s.state === 'down') ? 'not_ready'
      : Object.values(routes).every((s) => s === 'up') ? 'ready' : 'degraded';
    const report: HealthReport = { status, routes, dependencies };
    this.logChanges(report);
    this.last = report;
    return report;
  }

  private async probe(name: HealthDependency): Promise<DependencyState> {
    const required = REQUIRED.has(name);
    const circuit = GUARDED.has(name) ? { circuit: this.rt.guards[name as DependencyName].state } : {};
    try {
      const detail = await runProbe(this.rt, name);
      this.rt.deps.metrics.dependencyUp.set({ dependency: name }, 1);
      return { state: 'up', required, ...circuit, ...(detail ? { detail } : {}) };
    } catch (e) {
      this.rt.deps.metrics.dependencyUp.set({ dependency: name }, 0);
      return { state: 'down', required, ...circuit, detail: (e as Error).message };
    }
  }

  private logChanges(report: HealthReport): void {
    for (const name of HEALTH_DEPENDENCIES) {
      const now = report.dependencies[name];
      const before = this.last?.dependencies[name];
      if (now.state === 'down' && (before === undefined || before.state === 'up' || before.detail !== now.detail)) {
        const affects = ROUTES.filter((r) => ROUTE_NEEDS[r].needs.includes(name) || ROUTE_NEEDS[r].fallsBack.includes(name));
        this.rt.log.warn({ dependency: name, routes: affects, err: now.detail }, `dependency ${name} is down: ${now.detail}`);
      } else if (now.state === 'up' && before?.state === 'down') {
        this.rt.log.info({ dependency: name, detail: now.detail }, `dependency ${name} is up again`);
      }
    }
  }
}

function routeState(route: ServedRoute, deps: Record<HealthDependency, DependencyState>): RouteState {
  const { needs, fallsBack } = ROUTE_NEEDS[route];
  if (needs.some((d) => deps[d].state === 'down')) return 'down';
  return fallsBack.some((d) => deps[d].state === 'down') ? 'degraded' : 'up';
}
