/**
 * Training sets on disk: `<dir>/manifest.json` (TrainingSetManifest) and `<dir>/examples.jsonl`
 * (one TrainingExample per line, in touch-time order); the latest set's folder is named in
 * `<home>/training-sets/LATEST`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { AlmanacError, notFound } from '../core/errors.ts';
import { writeFileAtomic } from './atomic-file.ts';
import type { TrainingExample, TrainingSet, TrainingSetManifest } from './training-set.ts';

export const EXAMPLES_FILE = 'examples.jsonl';

/** Writes the examples, then the manifest (the manifest's presence marks a complete set). */
export async function writeTrainingSet(dir: string, set: TrainingSet): Promise<void> {
  await writeLinesAtomic(path.join(dir, set.manifest.file), set.examples);
  await writeFileAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(set.manifest, null, 2)}\n`);
}

/** @throws ALMANAC_ERR_INPUT_NOT_FOUND when `dir` holds no training set. */
export async function readTrainingSet(dir: string): Promise<TrainingSet> {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw notFound('training set', dir);
  let manifest: TrainingSetManifest;
  let examples: TrainingExample[];
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as TrainingSetManifest;
    examples = await readLines(path.join(dir, manifest.file));
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `training set ${dir} is unreadable: ${(e as Error).message}; rebuild it with \`almanac features training-set\``, { cause: e, details: { issues: [{ path: dir, reason: 'unreadable' }] } });
  }
  if (examples.length !== manifest.rows) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `training set ${dir} has ${examples.length} rows but its manifest says ${manifest.rows}; rebuild it`, { details: { issues: [{ path: dir, reason: 'row count mismatch' }] } });
  }
  return { manifest, examples };
}

/** Records `dir` as the latest training set. */
export async function markLatest(config: AlmanacConfig, dir: string): Promise<void> {
  const root = homePath(config, 'training-sets');
  const rel = path.relative(root, dir);
  await writeFileAtomic(path.join(root, 'LATEST'), `${rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(dir) : rel}\n`);
}

/** Folder of the latest training set. @throws ALMANAC_ERR_INPUT_NOT_FOUND when none was built. */
export async function latestTrainingSetDir(config: AlmanacConfig): Promise<string> {
  const root = homePath(config, 'training-sets');
  const file = path.join(root, 'LATEST');
  if (!existsSync(file)) throw notFound('training set', 'LATEST (run `almanac features training-set`)');
  return path.resolve(root, (await readFile(file, 'utf8')).trim());
}

/** Streams one JSON line per example to a temp file, fsyncs, renames: sets of any size, never one huge string. */
async function writeLinesAtomic(file: string, examples: TrainingExample[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    const chunk: string[] = [];
    for (const e of examples) {
      chunk.push(JSON.stringify(e));
      if (chunk.length === 4096) await handle.write(`${chunk.splice(0).join('\n')}\n`);
    }
    if (chunk.length > 0) await handle.write(`${chunk.join('\n')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

async function readLines(file: string): Promise<TrainingExample[]> {
  const out: TrainingExample[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.length > 0) out.push(JSON.parse(line) as TrainingExample);
  return out;
}
