/**
 * A circuit breaker per dependency. Closed: calls pass; `failureThreshold` consecutive retriable
 * failures open it. Open: calls fail fast with ALMANAC_ERR_CIRCUIT_OPEN for `resetMs`. Then the
 * next call is a trial (half-open; other calls still fail fast while it runs): success closes
 * the circuit, failure opens it again for another `resetMs`.
 *
 * Only transient failures (`retriable === true`: unavailable, timeout) count; a bad request or a
 * not-found says nothing about the dependency's health and passes through without counting.
 */
import { AlmanacError } from '../errors.ts';
import { isRetriable } from './retry.ts';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Dependency name, used in errors and metrics (e.g. 'redis'). */
  name: string;
  /** Consecutive transient failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** How long (ms) the circuit stays open before a trial call (default 5000). */
  resetMs?: number;
  /** Clock in ms (tests may inject one; default Date.now). */
  now?: () => number;
  /** Called on every state change. */
  onStateChange?: (state: CircuitState, name: string) => void;
}

export class CircuitBreaker {
  readonly name: string;
  private readonly failureThreshold: number;
  private readonly resetMs: number;
  private readonly now: () => number;
  private readonly onStateChange?: (state: CircuitState, name: string) => void;
  private failures = 0;
  private openedAt = 0;
  private current: CircuitState = 'closed';
  private trialRunning = false;

  constructor({ name, failureThreshold = 5, resetMs = 5000, now = Date.now, onStateChange }: CircuitBreakerOptions) {
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1) {
      throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `circuit ${name}: failureThreshold=${failureThreshold} must be an integer >= 1`);
    }
    if (!(resetMs > 0)) throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `circuit ${name}: resetMs=${resetMs} must be > 0`);
    this.name = name;
    this.failureThreshold = failureThreshold;
    this.resetMs = resetMs;
    this.now = now;
    this.onStateChange = onStateChange;
  }

  /** 'open' turns into 'half-open' once resetMs have passed (observed lazily). */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.resetMs) this.transition('half-open');
    return this.current;
  }

  /**
   * Runs `fn` through the breaker.
   * @throws AlmanacError ALMANAC_ERR_CIRCUIT_OPEN while open (or while a half-open trial is running); otherwise what `fn` throws.
   */
  async exec<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialRunning)) throw this.openError();
    const trial = state === 'half-open';
    if (trial) this.trialRunning = true;
    try {
      const value = await fn();
      this.onSuccess();
      return value;
    } catch (err) {
      this.onFailure(err, trial);
      throw err;
    } finally {
      if (trial) this.trialRunning = false;
    }
  }

  private onSuccess(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  private onFailure(err: unknown, trial: boolean): void {
    if (!isRetriable(err)) {
      if (trial) this.transition('closed');
      return;
    }
    this.failures++;
    if (trial || this.failures >= this.failureThreshold) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(state: CircuitState): void {
    if (state === this.current) return;
    this.current = state;
    if (state === 'closed') this.failures = 0;
    this.onStateChange?.(state, this.name);
  }

  private openError(): AlmanacError {
    const retryInMs = Math.max(0, this.resetMs - (this.now() - this.openedAt));
    return new AlmanacError('ALMANAC_ERR_CIRCUIT_OPEN', `circuit for ${this.name} is open; failing fast for another ${retryInMs} ms`, {
      details: { dependency: this.name, retryInMs },
    });
  }
}
