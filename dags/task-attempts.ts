/**
 * Runs one task: each attempt bounded by the task's timeout, failures retried with exponential
 * backoff + full jitter (core/resilience/retry). Plain errors (I/O, a crashed library) are treated
 * as transient and retried; an AlmanacError that says it is not retriable (bad input, a gate
 * rejection, training that cannot succeed) fails at once — retrying would fail the same way.
 */
import { AlmanacError, asAlmanacError, isAlmanacError } from '../core/errors.ts';
import { retry } from '../core/resilience/retry.ts';
import { withTimeout } from '../core/resilience/timeout.ts';
import { DEFAULT_BACKOFF, type DagTask, type TaskContext } from './dag.ts';

const underTest = (): boolean => process.env.NODE_ENV === 'test' || process.env.VITEST !== undefined;

/** Marks a plain error as transient so that retry() retries it; unwrapped again afterwards. */
class TransientTaskError extends AlmanacError {
  readonly original: unknown;
  constructor(original: unknown) {
    super('ALMANAC_ERR_DAG_TASK_FAILED', original instanceof Error ? original.message : String(original), { cause: original, retriable: true });
    this.original = original;
  }
}

export interface AttemptHooks {
  onAttempt?(attempt: number): void;
  onRetry?(err: AlmanacError, attempt: number, delayMs: number): void;
}

/**
 * Runs `task` with retries and timeouts; resolves with its output.
 * @param base - the context without attempt/signal (filled per attempt).
 * @throws AlmanacError the last attempt's error (plain errors wrapped as ALMANAC_ERR_INTERNAL).
 */
export async function runTaskWithRetries<T>(
  task: DagTask<T>,
  base: Omit<TaskContext, 'attempt' | 'signal'>,
  runSignal: AbortSignal,
  hooks: AttemptHooks = {},
): Promise<T> {
  const backoff = task.backoff ?? (underTest() ? { baseMs: 1, maxMs: 20 } : DEFAULT_BACKOFF);
  try {
    return await retry(
      async (attempt) => {
        hooks.onAttempt?.(attempt);
        try {
          return await runAttempt(task, base, attempt, runSignal);
        } catch (e) {
          throw isAlmanacError(e) ? e : new TransientTaskError(e);
        }
      },
      {
        retries: task.retries ?? 0,
        baseMs: backoff.baseMs,
        maxMs: backoff.maxMs,
        signal: runSignal,
        onRetry: (err, attempt, delayMs) => hooks.onRetry?.(asAlmanacError(unwrap(err)), attempt, delayMs),
      },
    );
  } catch (e) {
    return Promise.reject(asAlmanacError(unwrap(e)));
  }
}

function runAttempt<T>(task: DagTask<T>, base: Omit<TaskContext, 'attempt' | 'signal'>, attempt: number, runSignal: AbortSignal): Promise<T> {
  if (runSignal.aborted) return Promise.reject(cancelled(task.id));
  const call = (timeoutSignal?: AbortSignal): Promise<T> => {
    const signal = timeoutSignal ? AbortSignal.any([runSignal, timeoutSignal]) : runSignal;
    return task.run({ ...base, attempt, signal });
  };
  return task.timeoutMs === undefined ? call() : withTimeout(call, task.timeoutMs, `task '${task.id}'`);
}

function unwrap(e: unknown): unknown {
  return e instanceof TransientTaskError ? e.original : e;
}

export function cancelled(taskId: string): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_DAG_TASK_FAILED', `task '${taskId}' cancelled: the run was stopped`, { retriable: false, details: { taskId } });
}
