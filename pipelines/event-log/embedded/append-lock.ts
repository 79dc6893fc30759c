/**
 * Cross-process append lock of a topic (core/lock-file: O_EXCL file holding the owner's pid, a
 * dead owner's lock taken over safely). Held only for the duration of one append, so several
 * processes (an ingest run and a server) can append to the same topic in turn.
 */
import { AlmanacError } from '../../../core/errors.ts';
import { tryLockFile, unlockFile } from '../../../core/lock-file.ts';

const WAIT_LIMIT_MS = 30_000;
/** An append holds the lock for milliseconds; held longer than this, appends are stuck behind it. */
export const PROBE_WAIT_MS = 500;

/** Acquires the lock; resolves with its release function. @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable) after 30 s. */
export async function acquireAppendLock(file: string): Promise<() => void> {
  const started = Date.now();
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const attempt = tryLockFile(file, { pid: process.pid });
    if (attempt.acquired) return () => unlockFile(file, (o) => o.pid === process.pid);
    if (Date.now() - started > WAIT_LIMIT_MS) {
      const owner = attempt.owner?.pid;
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `event log append lock ${file} is held by process ${owner ?? '?'}; retry later`, {
        details: { file, owner },
      });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Whether the lock can be taken now (taken and released at once, or waited for up to `waitMs`):
 * the health check of appends. Taking it also proves the topic folder is writable.
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE naming the owner when another live process holds it longer.
 */
export async function probeAppendLock(file: string, shown: string, waitMs = PROBE_WAIT_MS): Promise<void> {
  const started = Date.now();
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const attempt = tryLockFile(file, { pid: process.pid });
    if (attempt.acquired) {
      unlockFile(file, (o) => o.pid === process.pid); // same tick: no append of this process can interleave
      return;
    }
    if (Date.now() - started > waitMs) {
      const owner = attempt.owner?.pid;
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `event log append lock ${shown} is held by process ${owner ?? '?'} for more than ${waitMs} ms: appends wait behind it and time out; stop that process or let it finish`, {
        details: { file: shown, owner },
      });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
