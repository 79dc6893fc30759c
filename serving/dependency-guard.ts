/**
 * Every call to a dependency goes through its guard: a per-dependency timeout
 * (config.serving.timeouts), a circuit breaker (core/resilience) and a latency histogram labelled
 * with the outcome. Callers decide the fallback; the guard only fails fast and measures.
 */
import { CircuitBreaker, type CircuitState } from '../core/resilience/circuit-breaker.ts';
import { withTimeout } from '../core/resilience/timeout.ts';
import { isAlmanacError } from '../core/errors.ts';
import type { Metrics } from '../core/metrics.ts';

export type DependencyName = 'onlineStore' | 'vector' | 'graph' | 'cache' | 'eventLog' | 'model';

export interface DependencyGuard {
  readonly name: DependencyName;
  /** Runs `fn` within the timeout through the breaker. @throws the dependency's error, ALMANAC_ERR_DEPENDENCY_TIMEOUT or ALMANAC_ERR_CIRCUIT_OPEN */
  call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  readonly state: CircuitState;
}

export interface GuardOptions {
  timeoutMs: number;
  failureThreshold?: number;
  resetMs?: number;
}

export function createGuard(name: DependencyName, options: GuardOptions, metrics: Metrics): DependencyGuard {
  const breaker = new CircuitBreaker({ name, failureThreshold: options.failureThreshold ?? 5, resetMs: options.resetMs ?? 5_000 });
  const histogram = metrics.dependencyLatency;
  return {
    name,
    get state() { return breaker.state; },
    async call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const started = process.hrtime.bigint();
      let outcome = 'ok';
      try {
        return await breaker.exec(() => withTimeout(fn, options.timeoutMs, name));
      } catch (e) {
        outcome = isAlmanacError(e) ? e.code.replace('ALMANAC_ERR_', '').toLowerCase() : 'error';
        throw e;
      } finally {
        histogram.observe({ dependency: name, operation, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
  };
}
