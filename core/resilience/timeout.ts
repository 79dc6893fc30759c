/**
 * Bounds a dependency call in time. The callee gets an AbortSignal that fires at the deadline so
 * it can cancel its own work (an HTTP request, a query); the caller gets
 * ALMANAC_ERR_DEPENDENCY_TIMEOUT (retriable) naming the dependency and the budget.
 */
import { AlmanacError } from '../errors.ts';

/**
 * Runs `fn(signal)` and rejects with ALMANAC_ERR_DEPENDENCY_TIMEOUT after `ms` milliseconds.
 * The signal passed to `fn` is aborted at the deadline; a later settlement of `fn` is ignored.
 * @param ms budget in milliseconds (> 0)
 * @param dependency name used in the error (e.g. 'redis', 'vector')
 * @throws AlmanacError ALMANAC_ERR_DEPENDENCY_TIMEOUT; whatever `fn` throws before the deadline.
 */
export function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number, dependency: string): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) {
    return Promise.reject(new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `timeout for ${dependency} must be a positive number of ms, got ${ms}`));
  }
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new AlmanacError('ALMANAC_ERR_DEPENDENCY_TIMEOUT', `${dependency} did not answer within ${ms} ms`, {
        details: { dependency, timeoutMs: ms },
      });
      controller.abort(err);
      reject(err);
    }, ms);
    let started: Promise<T>;
    try {
      started = fn(controller.signal);
    } catch (err) {
      clearTimeout(timer);
      reject(err);
      return;
    }
    started.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
