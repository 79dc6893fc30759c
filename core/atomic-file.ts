/**
 * Crash-safe file replacement, the one implementation every embedded store uses: write a temp file
 * beside the target, fsync it, rename it over the target, fsync the folder. Readers see the old or
 * the new content, never a torn one, and after return the new content survives a crash.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const tempName = (file: string): string => `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/**
 * Replaces `file` with `data` atomically and durably (creates the folder when missing).
 * @throws the fs error (ENOSPC, EACCES, …); the previous `file` is left intact.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await replaceAtomically(file, (handle) => handle.writeFile(data));
}

/**
 * writeFileAtomic for content produced piece by piece (e.g. a state too large for one string: V8
 * caps a string at ~512 MiB): the pieces are written in order, batched to ~1 MiB writes.
 */
export async function writePiecesAtomic(file: string, pieces: Iterable<string>): Promise<void> {
  await replaceAtomically(file, async (handle) => {
    let batch: string[] = [];
    let size = 0;
    for (const piece of pieces) {
      batch.push(piece);
      size += piece.length;
      if (size >= 1 << 20) {
        await handle.write(batch.join(''));
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) await handle.write(batch.join(''));
  });
}

/** The one temp file → write → fsync → rename → fsync-folder sequence of the two writers above. */
async function replaceAtomically(file: string, write: (handle: FileHandle) => Promise<unknown>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  const handle = await open(tmp, 'w');
  try {
    await write(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  syncDir(path.dirname(file));
}

/** Synchronous writeFileAtomic; `fsync: false` keeps atomicity but skips durability (tests, benches). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: { fsync?: boolean } = {}): void {
  const durable = options.fsync ?? true;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  if (durable) syncDir(path.dirname(file));
}

/** Makes a folder's entries (new, renamed or removed files) durable. */
export function syncDir(dir: string): void {
  fsyncPath(dir);
}

/** Makes a file written by someone else (e.g. DuckDB's COPY) durable before it is renamed into place. */
export function syncFile(file: string): void {
  fsyncPath(file);
}

function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
