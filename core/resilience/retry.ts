/**
 * Retry with exponential backoff and full jitter. Only errors that say they are transient
 * (`retriable === true`, as AlmanacError sets from the catalogue) are retried; anything else is
 * rethrown at once. Under test (NODE_ENV=test or VITEST set) the timings shrink so suites stay fast.
 */
import { AlmanacError } from '../errors.ts';

export interface RetryOptions {
  /** Extra attempts after the first (default 5; total attempts = retries + 1). */
  retries?: number;
  /** First backoff cap in ms (default 100, 1 under test); doubles every attempt. */
  baseMs?: number;
  /** Upper bound of any single backoff in ms (default 10 000, 20 under test). */
  maxMs?: number;
  /** Aborting stops waiting and rethrows the last error (or the abort reason before the first attempt). */
  signal?: AbortSignal;
  /** Called before each wait: the error, the attempt that failed (1-based) and the delay chosen. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const underTest = (): boolean => process.env.NODE_ENV === 'test' || process.env.VITEST !== undefined;

/** True when an error declares itself transient (AlmanacError, kafkajs errors and the like carry `retriable`). */
export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}

/** Full-jitter delay for a failed attempt (1-based): uniform in [0, min(maxMs, baseMs · 2^(attempt-1))]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * (cap + 1));
}

/**
 * Runs `fn(attempt)` (attempt is 1-based) until it resolves, a non-retriable error is thrown,
 * or the retries are used up (the last error is rethrown).
 * @throws the last error from `fn`; the signal's reason if aborted before the first attempt.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const test = underTest();
  const retries = options.retries ?? 5;
  const baseMs = options.baseMs ?? (test ? 1 : 100);
  const maxMs = options.maxMs ?? (test ? 20 : 10_000);
  if (!Number.isInteger(retries) || retries < 0) {
    throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `retry: retries=${retries} must be a non-negative integer`);
  }
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetriable(err) || attempt > retries || options.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, baseMs, maxMs);
      options.onRetry?.(err, attempt, delay);
      const completed = await sleep(delay, options.signal);
      if (!completed) throw err;
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
