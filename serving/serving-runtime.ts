/**
 * Everything a request handler needs, built once per app from the deps: the hot-swappable
 * champion, the pattern index version, one guard per dependency, the directory cache and the
 * touch-feature reads' deps.
 */
import { ForegroundGate } from './foreground-gate.ts';
import { isAlmanacError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { ChampionHolder } from './champion-holder.ts';
import { createGuard, type DependencyGuard, type DependencyName } from './dependency-guard.ts';
import { DirectoryCache } from './directory-cache.ts';
import type { ServingDeps } from './serving-deps.ts';
import type { TouchFeatureDeps } from './touch-records.ts';
import { EventAdmission } from '../core/tenants/event-admission.ts';
import { Authenticator } from './authentication.ts';
import { homeRelative } from './home-relative.ts';
import { PATTERNS_ALIAS } from './pattern-alias.ts';
import { HealthMonitor } from './health-monitor.ts';

export { PATTERNS_ALIAS } from './pattern-alias.ts';

export class ServingRuntime {
  readonly champion: ChampionHolder;
  readonly guards: Record<DependencyName, DependencyGuard>;
  readonly directory: DirectoryCache;
  /** Predict and search requests in flight; bulk work (events batches) waits for gaps between them. */
  readonly foreground = new ForegroundGate();
  readonly log: Logger;
  /** What reading touch features needs (the online store behind its guard), built once. */
  readonly touchFeatures: TouchFeatureDeps;
  /** The ownership rule for POST /v1/events (the same one ingest and the stream job apply). */
  readonly admission: EventAdmission;
  readonly auth: Authenticator;
  /** Every dependency checked for real, at start and every serving.healthCheckIntervalMs. */
  readonly health: HealthMonitor;
  /** The collection the 'patterns' alias points to (the index version), when known. */
  indexVersion: string | undefined;
  /**
   * Bumped whenever this process registers a client or claims a campaign: part of every result-cache
   * key, so an answer cached before an ownership change is never served after it.
   */
  ownershipVersion = 0;
  /** Why the last model reload failed (e.g. a corrupt model.onnx); undefined after a good one. */
  modelLoadError: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly deps: ServingDeps) {
    this.log = deps.logger ?? silentLogger;
    const t = deps.config.serving.timeouts;
    const m = deps.metrics;
    this.guards = {
      onlineStore: createGuard('onlineStore', { timeoutMs: t.onlineStore }, m),
      vector: createGuard('vector', { timeoutMs: t.vector }, m),
      graph: createGuard('graph', { timeoutMs: t.graph }, m),
      cache: createGuard('cache', { timeoutMs: t.cache }, m),
      eventLog: createGuard('eventLog', { timeoutMs: 5_000 }, m),
      model: createGuard('model', { timeoutMs: 30_000, failureThreshold: 1_000_000 }, m),
    };
    this.champion = new ChampionHolder(deps.registry, deps.loadScorer, this.log);
    this.directory = new DirectoryCache(deps.onlineStore, deps.features, this.guards.onlineStore);
    this.admission = new EventAdmission(deps.tenants);
    this.auth = new Authenticator(deps.tenants, this.log);
    this.touchFeatures = { store: deps.onlineStore, features: deps.features, guard: this.guards.onlineStore, metrics: m };
    this.health = new HealthMonitor(this);
  }

  /**
   * Loads the champion and the index alias once and checks every dependency (a warn line for each
   * that is down); then polls for changes every reloadIntervalMs and re-checks the dependencies
   * every healthCheckIntervalMs.
   */
  async start(options: { poll?: boolean } = {}): Promise<void> {
    await this.reload();
    await this.health.check();
    if (options.poll === false) return;
    this.timer = setInterval(() => void this.reload(), this.deps.config.serving.reloadIntervalMs);
    this.timer.unref();
    this.health.start(this.deps.config.serving.healthCheckIntervalMs);
  }

  /** One reload round: a newly promoted model and a switched index alias are picked up. Never throws. */
  async reload(): Promise<void> {
    try {
      await this.champion.refresh();
      this.modelLoadError = undefined;
    } catch (e) {
      const fix = isAlmanacError(e) && e.code === 'ALMANAC_ERR_MODEL_INVALID' ? '; train a new one (`almanac train`) or promote another version (`almanac models promote VERSION`)' : '';
      this.modelLoadError = homeRelative(this.deps.config.home, (e as Error).message) + fix;
      this.log.warn({ err: (e as Error).message }, 'model reload failed; keeping the current model');
    }
    try {
      const next = await this.guards.vector.call('resolve_alias', () => this.deps.vectorIndex.resolveAlias(PATTERNS_ALIAS));
      if (next !== this.indexVersion) {
        // Warm the new collection before requests use it (the embedded index loads lazily; the first
        // search would otherwise pay the load inside its timeout and fall back).
        if (next !== undefined) await this.deps.vectorIndex.count(next).catch(() => undefined);
        this.log.info({ index_version: next, previous: this.indexVersion }, 'pattern index switched');
      }
      this.indexVersion = next;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'cannot resolve the pattern index alias');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.health.stop();
    await this.champion.close();
  }
}
