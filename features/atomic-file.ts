/** Writes a file so that readers see the old or the new content, never a torn one. */
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `data` to a temp name beside `file`, fsyncs it, then renames it over `file`.
 * @throws the fs error (ENOSPC, EACCES, …) — the previous `file` is left intact.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}
