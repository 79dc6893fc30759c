/**
 * Training sets on disk: `<dir>/manifest.json` (TrainingSetManifest) and `<dir>/examples.jsonl`
 * (one TrainingExample per line, in touch-time order); the latest set's folder is named in
 * `<home>/training-sets/LATEST`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { AlmanacError, notFound } from '../core/errors.ts';
import { writeFileAtomic } from './atomic-file.ts';
import type { TrainingExample, TrainingSet, TrainingSetManifest } from './training-set.ts';

export const EXAMPLES_FILE = 'examples.jsonl';

/** Writes the examples, then the manifest (the manifest's presence marks a complete set). */
export async function writeTrainingSet(dir: string, set: TrainingSet): Promise<void> {
  const lines = set.examples.map((e) => JSON.stringify(e)).join('\n');
  await writeFileAtomic(path.join(dir, set.manifest.file), lines.length > 0 ? `${lines}\n` : '');
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
    const text = await readFile(path.join(dir, manifest.file), 'utf8');
    examples = text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as TrainingExample);
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
