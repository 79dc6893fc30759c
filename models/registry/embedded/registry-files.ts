/**
 * Files of the embedded registry: crash-safe writes (temp file, fsync, rename) and a lock file
 * that serialises alias changes between processes (stale after 10 s).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AlmanacError } from '../../../core/errors.ts';

/** Writes bytes to `file` atomically: readers see the old or the new content, never a mix. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

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
