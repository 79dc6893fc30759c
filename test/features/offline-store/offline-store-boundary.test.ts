/**
 * The OfflineStore port owns its operations: outside features/offline-store/, source files import
 * only the port (offline-store.ts) and its factory (create-offline-store.ts), never an adapter or its
 * internals. Read from the import statements of every source file (tests excluded).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FOLDER = path.join('features', 'offline-store');
const PUBLIC = new Set([path.join(FOLDER, 'offline-store.ts'), path.join(FOLDER, 'create-offline-store.ts')]);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(rel);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name) ? [rel] : [];
  });
}

function importsOf(file: string): string[] {
  const src = readFileSync(path.join(ROOT, file), 'utf8');
  return [...src.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => path.normalize(path.join(path.dirname(file), m[1] as string)));
}

it('outside features/offline-store, only the port and its factory are imported', () => {
  const files = ['core', 'pipelines', 'features', 'models', 'embeddings', 'serving', 'dags', 'app', 'bench'].flatMap((d) => sourceFiles(d));
  const users = files.filter((f) => !f.startsWith(FOLDER + path.sep) && importsOf(f).some((t) => t.startsWith(FOLDER + path.sep)));
  expect(users).toContain(path.join('features', 'training-set-builder.ts'));
  const reaching = users.flatMap((f) => importsOf(f).filter((t) => t.startsWith(FOLDER + path.sep) && !PUBLIC.has(t)).map((t) => `${f} -> ${t}`));
  expect(reaching).toEqual([]);
});
