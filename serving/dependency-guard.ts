/**
 * Every call to a dependency goes through its guard: a per-dependency timeout
 * (config.serving.timeouts), a circuit breaker (core/resilience) and a latency histogram labelled
 * with the outcome. Callers decide the fallback; the guard only fails fast and measures.
 *
 * Hot-path costs are kept per guard, not per call: one timer for all pending calls
 * (deadline-queue.ts) and the histogram's labelled children looked up once per label set.
 */
import { CircuitBreaker, type CircuitState } from '../core/resilience/circuit-breaker.ts';
import { isAlmanacError } from '../core/errors.ts';
import type { Metrics } from '../core/metrics.ts';
import { DeadlineQueue } from './deadline-queue.ts';

export type DependencyName = 'onlineStore' | 'vector' | 'graph' | 'cache' | 'eventLog' | 'model';

export interface DependencyGuard {
  readonly name: DependencyName;
  /**
   * Runs `fn` within the timeout through the breaker. `fn` gets an AbortSignal fired at the
   * deadline when it declares a parameter.
   * @throws the dependency's error, ALMANAC_ERR_DEPENDENCY_TIMEOUT or ALMANAC_ERR_CIRCUIT_OPEN
   */
  call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  readonly state: CircuitState;
}

export interface GuardOptions {
  timeoutMs: number;
  failureThreshold?: number;
  resetMs?: number;
}

type Observer = { observe(seconds: number): void };

export function createGuard(name: DependencyName, options: GuardOptions, metrics: Metrics): DependencyGuard {
  const breaker = new CircuitBreaker({ name, failureThreshold: options.failureThreshold ?? 5, resetMs: options.resetMs ?? 5_000 });
  const deadlines = new DeadlineQueue(options.timeoutMs, name);
  const histogram = metrics.dependencyLatency;
  const observers = new Map<string, Observer>();
  const observer = (operation: string, outcome: string): Observer => {
    const key = `${operation}\u0000${outcome}`;
    let o = observers.get(key);
    if (o === undefined) {
      o = histogram.labels({ dependency: name, operation, outcome });
      observers.set(key, o);
    }
    return o;
  };
  return {
    name,
    get state() { return breaker.state; },
    async call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const started = performance.now();
      let outcome = 'ok';
      try {
        return await breaker.exec(() => deadlines.run(fn));
      } catch (e) {
        outcome = isAlmanacError(e) ? e.code.replace('ALMANAC_ERR_', '').toLowerCase() : 'error';
        throw e;
      } finally {
        observer(operation, outcome).observe((performance.now() - started) / 1000);
      }
    },
  };
}
