/** Crash-safe small-file writes: write a temp file, fsync it, rename over the target, fsync the folder. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Replaces `file` atomically with `data`; with `sync`, the new content is durable on return. */
export function writeFileAtomic(file: string, data: string | Uint8Array, sync: boolean): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  if (sync) syncDir(path.dirname(file));
}

/** Makes a folder's entries (new, renamed or removed files) durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
