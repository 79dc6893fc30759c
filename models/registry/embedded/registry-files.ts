/**
 * Files of the embedded registry: crash-safe writes (temp file, fsync, rename) and a lock file
 * that serialises alias changes between processes (stale after 10 s).
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AlmanacError } from '../../../core/errors.ts';

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

const STALE_LOCK_MS = 10_000;

async function acquire(lock: string): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `registry lock ${lock} is held by another process`, { retriable: true });
}

/** Runs `fn` while holding `<dir>/.lock` (created with O_EXCL). @throws ALMANAC_ERR_STORE_UNAVAILABLE after ~5 s of waiting. */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, '.lock');
  await mkdir(dir, { recursive: true });
  await acquire(lock);
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}
