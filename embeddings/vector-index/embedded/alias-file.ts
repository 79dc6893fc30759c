/**
 * Aliases of the embedded VectorIndex: one JSON file `<home>/vector/aliases.json`
 * ({alias: collection}), replaced atomically (write temp, rename). Readers re-read it when its
 * modification time changes, so a serving process sees an alias switch made by `almanac index`.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../../core/atomic-file.ts';

export class AliasFile {
  private readonly file: string;
  private cache: Record<string, string> = {};
  private version = '';

  constructor(dir: string) {
    this.file = path.join(dir, 'aliases.json');
  }

  /** Current aliases (re-read when the file changed on disk). */
  read(): Record<string, string> {
    let version: string;
    try {
      version = fileVersion(this.file);
    } catch {
      this.cache = {};
      this.version = '';
      return this.cache;
    }
    if (version !== this.version) {
      this.cache = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
      this.version = version;
    }
    return this.cache;
  }

  /** Replaces the whole alias map atomically. */
  write(aliases: Record<string, string>): void {
    writeFileAtomicSync(this.file, JSON.stringify(aliases, null, 2));
    this.cache = { ...aliases };
    this.version = fileVersion(this.file);
  }
}

/** Inode + mtime + size: a rename always gives a new inode, so a replaced file is never missed. */
function fileVersion(file: string): string {
  const st = statSync(file);
  return `${st.ino}:${st.mtimeMs}:${st.size}`;
}
