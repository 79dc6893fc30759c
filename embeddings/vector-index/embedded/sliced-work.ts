/**
 * Work cut into slices: a generator that yields between slices and returns its result. Long copies
 * and builds over a large collection (a filter column into list order, a column's label postings)
 * run one slice per turn of the event loop, so requests are served between slices; the same work
 * runs to its end at once where it is small or wanted now.
 */
export type SlicedWork<T> = Generator<void, T>;

/** Runs the work to its end, at once. */
export function finish<T>(work: SlicedWork<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done === true) return step.value;
  }
}

/**
 * Runs one slice of the work per turn of the event loop, the first on the next turn, then calls
 * `done` with its result. Stops, without calling `done`, at the first turn where `current()` is
 * false (what the work was for has changed). Each slice is an unref'd zero-delay timer: it never
 * keeps the process alive, and it still runs while the loop has nothing else to do. (An unref'd
 * setImmediate does not: Node polls without blocking only while a ref'd immediate is queued, so
 * in an idle server one slice ran per wake-up — a column's copy into list order stayed unfinished
 * for minutes, and filtered searches read it through scattered labels: 3.4× slower at 1M.)
 */
export function runBetweenTurns<T>(work: SlicedWork<T>, current: () => boolean, done: (value: T) => void): void {
  const step = (): void => {
    if (!current()) return;
    const next = work.next();
    if (next.done === true) done(next.value);
    else setTimeout(step, 0).unref();
  };
  setTimeout(step, 0).unref();
}
