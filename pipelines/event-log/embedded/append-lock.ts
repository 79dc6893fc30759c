/**
 * Cross-process append lock of a topic: a lock file created with O_EXCL holding the owner's pid.
 * A lock left by a dead process (kill -9) is taken over. Held only for the duration of one append,
 * so several processes (an ingest run and a server) can append to the same topic in turn.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { AlmanacError } from '../../../core/errors.ts';

const WAIT_LIMIT_MS = 30_000;

/** Acquires the lock; resolves with its release function. @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable) after 30 s. */
export async function acquireAppendLock(file: string): Promise<() => void> {
  const started = Date.now();
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    if (tryCreate(file)) return () => rmSync(file, { force: true });
    const owner = ownerPid(file);
    if ((owner !== undefined && owner !== process.pid && !isAlive(owner)) || (owner === undefined && olderThan(file, 5_000))) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() - started > WAIT_LIMIT_MS) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `event log append lock ${file} is held by process ${owner ?? '?'}; retry later`, {
        details: { file, owner },
      });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

function tryCreate(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function ownerPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}
