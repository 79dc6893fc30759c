/**
 * Cheap timeouts for one dependency. Every call of a guard has the same budget, so deadlines come
 * in start order: pending calls wait in a FIFO and ONE timer is armed for the oldest unsettled
 * deadline, instead of a setTimeout + clearTimeout (and an AbortController) per call. The timer
 * fires at the same moment a per-call timer would; calls settled before their deadline are only
 * marked and dropped when they reach the head.
 */
import { AlmanacError } from '../core/errors.ts';

/**
 * One call waiting for its deadline. A class with methods, not an object of closures: the hot
 * path makes no per-call named function (under tsx each one costs a defineProperty for its name).
 */
const settledAlready = (): void => undefined;

class Pending<T> {
  settled = false;
  resolve!: (value: T) => void;
  reject!: (err: unknown) => void;

  constructor(readonly deadline: number, private readonly controller: AbortController | undefined) {}

  fulfil(value: T): void {
    if (this.settled) return;
    const resolve = this.resolve;
    this.release();
    resolve(value);
  }

  fail(err: unknown): void {
    if (this.settled) return;
    const reject = this.reject;
    this.release();
    reject(err);
  }

  /**
   * A settled call waits in the queue until its deadline reaches the head; it must not keep its
   * promise (and so the result: a search's hits) alive that long. Held ~100 ms at hundreds of calls
   * a second, results outlived two scavenges and were promoted, and the old space filled with them
   * (mark-compact pauses of 20–30 ms under load).
   */
  private release(): void {
    this.settled = true;
    this.resolve = settledAlready;
    this.reject = settledAlready;
  }

  expire(err: AlmanacError): void {
    this.controller?.abort(err);
    this.fail(err);
  }
}

export class DeadlineQueue {
  private queue: Pending<unknown>[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param ms budget per call in milliseconds (> 0)
   * @param dependency name used in the timeout error
   * @throws AlmanacError ALMANAC_ERR_CONFIG_INVALID when `ms` is not a positive finite number
   */
  constructor(private readonly ms: number, private readonly dependency: string) {
    if (!(ms > 0) || !Number.isFinite(ms)) {
      throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `timeout for ${dependency} must be a positive number of ms, got ${ms}`);
    }
  }

  /**
   * Runs `fn` and rejects with ALMANAC_ERR_DEPENDENCY_TIMEOUT (retriable) after the budget; a later
   * settlement of `fn` is ignored. `fn` gets an AbortSignal aborted at the deadline only when it
   * declares a parameter (a function that takes none cannot use one, so none is made).
   */
  run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = fn.length > 0 ? new AbortController() : undefined;
    const pending = new Pending<T>(performance.now() + this.ms, controller);
    const promise = new Promise<T>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    let started: Promise<T>;
    try {
      started = controller ? fn(controller.signal) : (fn as () => Promise<T>)();
    } catch (err) {
      pending.fail(err);
      return promise;
    }
    this.push(pending);
    started.then((value) => pending.fulfil(value), (err: unknown) => pending.fail(err));
    return promise;
  }

  private push<T>(pending: Pending<T>): void {
    this.queue.push(pending as Pending<unknown>);
    if (this.timer === undefined) this.arm(pending.deadline);
  }

  /**
   * Unref'd: a deadline is no reason to keep the process alive (a call still running holds its own
   * socket or timer). Ref'd, the timer outlived the server: settled calls wait here until their
   * deadline, so a closed server stayed up to a budget longer, re-armed call after call.
   */
  private arm(deadline: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil(deadline - performance.now())));
    this.timer.unref();
  }

  /** Whether a timer is armed (tests). */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length) {
      const p = this.queue[this.head] as Pending<unknown>;
      if (!p.settled && p.deadline > now) break;
      this.head++;
      if (!p.settled) {
        p.expire(new AlmanacError('ALMANAC_ERR_DEPENDENCY_TIMEOUT', `${this.dependency} did not answer within ${this.ms} ms`, {
          details: { dependency: this.dependency, timeoutMs: this.ms },
        }));
      }
    }
    this.compact();
    const next = this.queue[this.head];
    if (next) this.arm(next.deadline);
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
