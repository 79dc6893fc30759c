/**
 * Every call to a dependency goes through its guard: a per-dependency timeout
 * (config.serving.timeouts), a circuit breaker (core/resilience) and a latency histogram labelled
 * with the outcome. Callers decide the fallback; the guard only fails fast and measures.
 *
 * Hot-path costs are kept per guard, not per call: one timer for all pending calls
 * (deadline-queue.ts), one promise chain per call, and the histogram's series looked up once per
 * label set and observed in place (metric-series.ts).
 */
import { CircuitBreaker, type CircuitState } from '../core/resilience/circuit-breaker.ts';
import { isAlmanacError } from '../core/errors.ts';
import type { Metrics } from '../core/metrics.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import { histogramSeries, type ObserveSeries } from './metric-series.ts';

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

/** The latency series of one operation: 'ok' looked up once, other outcomes on first use. */
class OperationSeries {
  readonly ok: ObserveSeries;
  private readonly others = new Map<string, ObserveSeries>();

  constructor(private readonly histogram: Metrics['dependencyLatency'], private readonly dependency: string, private readonly operation: string) {
    this.ok = histogramSeries(histogram, { dependency, operation, outcome: 'ok' });
  }

  failed(outcome: string): ObserveSeries {
    let o = this.others.get(outcome);
    if (o === undefined) {
      o = histogramSeries(this.histogram, { dependency: this.dependency, operation: this.operation, outcome });
      this.others.set(outcome, o);
    }
    return o;
  }
}

const outcomeOf = (e: unknown): string => (isAlmanacError(e) ? e.code.replace('ALMANAC_ERR_', '').toLowerCase() : 'error');

export function createGuard(name: DependencyName, options: GuardOptions, metrics: Metrics): DependencyGuard {
  const breaker = new CircuitBreaker({ name, failureThreshold: options.failureThreshold ?? 5, resetMs: options.resetMs ?? 5_000 });
  const deadlines = new DeadlineQueue(options.timeoutMs, name);
  const operations = new Map<string, OperationSeries>();
  const seriesOf = (operation: string): OperationSeries => {
    let s = operations.get(operation);
    if (s === undefined) {
      s = new OperationSeries(metrics.dependencyLatency, name, operation);
      operations.set(operation, s);
    }
    return s;
  };
  return {
    name,
    get state() { return breaker.state; },
    call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const started = performance.now();
      const series = seriesOf(operation);
      // one promise chain (no async frame); every outcome is observed once
      return breaker.exec(() => deadlines.run(fn)).then(
        (value) => {
          series.ok.observe((performance.now() - started) / 1000);
          return value;
        },
        (e: unknown) => {
          series.failed(outcomeOf(e)).observe((performance.now() - started) / 1000);
          throw e;
        },
      );
    },
  };
}
