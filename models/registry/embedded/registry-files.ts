/**
 * Files of the embedded registry: crash-safe writes (core/atomic-file) and the lock that
 * serialises registrations and alias changes between processes (core/lock-file).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AlmanacError } from '../../../core/errors.ts';
import { tryLockFile, unlockFile } from '../../../core/lock-file.ts';

export { writeFileAtomic } from '../../../core/atomic-file.ts';

/** Reads and parses a JSON file; undefined when it does not exist. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_INTERNAL', `registry file ${file} is not valid JSON`, { cause: e });
  }
}

/** How long a caller waits for a live holder (registrations and alias changes hold it for milliseconds). */
const WAIT_LIMIT_MS = 10_000;

/**
 * Runs `fn` while holding `<dir>/.lock` (core/lock-file: O_EXCL, the owner's pid and a token; a
 * dead owner's lock is taken over under its guard, a live one is waited for). Not re-entrant.
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable) after 10 s of waiting for a live holder.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, '.lock');
  await mkdir(dir, { recursive: true });
  const token = randomUUID();
  const started = Date.now();
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const attempt = tryLockFile(lock, { pid: process.pid, token });
    if (attempt.acquired) break;
    if (Date.now() - started > WAIT_LIMIT_MS) {
      const owner = attempt.owner?.pid;
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `registry lock ${lock} is held by process ${owner ?? '?'}; retry later`, { retriable: true, details: { file: lock, owner } });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  try {
    return await fn();
  } finally {
    unlockFile(lock, (o) => o.token === token);
  }
}
