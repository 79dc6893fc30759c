/**
 * Training sets on disk: `<dir>/manifest.json` (TrainingSetManifest) and `<dir>/examples.jsonl`
 * (one example per line, in touch-time order); the latest set's folder is named in
 * `<home>/training-sets/LATEST`. A line is a compact JSON array
 * `[touch_id, client_id, campaign_id, ts, label, ...feature values in manifest column order]`
 * (null = missing), so feature names are stored once, in the manifest; readTrainingSet rebuilds
 * the records (every manifest column present). Lines that are JSON objects (a whole
 * TrainingExample, the earlier format) are still read.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { AlmanacError, invalidInput, notFound } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { recordMaker, type RecordMaker } from './feature-record-shape.ts';
import { FeatureValuePool } from './feature-value-pool.ts';
import { checkRowBound, holdRate, inSample, touchIdSample } from './training-set-sample.ts';
import type { FeatureColumn, FeatureValue, TrainingExample, TrainingSet, TrainingSetManifest } from './training-set.ts';

export const EXAMPLES_FILE = 'examples.jsonl';

/** One example as a compact line (no newline): values in `columns` order, null when absent. */
export function exampleLine(columns: readonly FeatureColumn[], e: TrainingExample): string {
  const row: unknown[] = [e.touch_id, e.client_id, e.campaign_id, e.ts, e.label];
  for (const c of columns) row.push(e.features[c.name] ?? null);
  return JSON.stringify(row);
}

/**
 * Writes the examples, then the manifest (the manifest's presence marks a complete set).
 * @param lines - the examples already encoded with exampleLine (in order), to stringify them only once.
 */
export async function writeTrainingSet(dir: string, set: TrainingSet, lines?: Iterable<string>): Promise<void> {
  if (set.sample !== undefined && lines === undefined) {
    throw invalidInput(`training set ${set.manifest.id} holds only a sample of its ${set.manifest.rows} rows; writing it would store the sample under the whole set's manifest`, [{ path: 'set.sample', reason: 'a sampled set cannot be written from its held rows' }]);
  }
  const encoded = lines ?? (function* () { for (const e of set.examples) yield exampleLine(set.manifest.columns, e); })();
  await commitTrainingSet(dir, set, await writeLinesToTemp(dir, encoded));
}

/**
 * Streams `lines` (one per example, no newline) into a new temp file in `folder`, fsynced; the lines
 * are consumed as written, so a caller can encode (and hash) them one at a time. @returns its path.
 */
export async function writeLinesToTemp(folder: string, lines: Iterable<string> | AsyncIterable<string>): Promise<string> {
  await mkdir(folder, { recursive: true });
  const tmp = path.join(folder, `.${EXAMPLES_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    let chunk: string[] = [];
    for await (const line of lines) {
      chunk.push(line);
      if (chunk.length === 4096) {
        await handle.write(`${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) await handle.write(`${chunk.join('\n')}\n`);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  return tmp;
}

/** Moves an examples temp file (writeLinesToTemp, on the same file system) into `dir`, then writes the manifest. */
export async function commitTrainingSet(dir: string, set: TrainingSet, examplesTemp: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await rename(examplesTemp, path.join(dir, set.manifest.file));
  } catch (e) {
    await rm(examplesTemp, { force: true });
    throw e;
  }
  await writeFileAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(set.manifest, null, 2)}\n`);
}

/**
 * The set stored in `dir`. With `holdRows` below its rows, only a touch-id-hash sample of about
 * that many is held (TrainingSet.sample; the same rows buildTrainingSet holds), the file still
 * read whole to check it.
 * @throws ALMANAC_ERR_INPUT_NOT_FOUND when `dir` holds no training set.
 */
export async function readTrainingSet(dir: string, options: { holdRows?: number } = {}): Promise<TrainingSet> {
  if (options.holdRows !== undefined) checkRowBound(options.holdRows, 'holdRows');
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw notFound('training set', dir);
  let manifest: TrainingSetManifest;
  let examples: TrainingExample[];
  let rows: number;
  let rate = 1;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as TrainingSetManifest;
    rate = holdRate(manifest.rows, options.holdRows);
    ({ examples, rows } = await readLines(path.join(dir, manifest.file), manifest.columns, rate));
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `training set ${dir} is unreadable: ${(e as Error).message}; rebuild it with \`almanac features training-set\``, { cause: e, details: { issues: [{ path: dir, reason: 'unreadable' }] } });
  }
  if (rows !== manifest.rows) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `training set ${dir} has ${rows} rows but its manifest says ${manifest.rows}; rebuild it`, { details: { issues: [{ path: dir, reason: 'row count mismatch' }] } });
  }
  return { manifest, examples, dir, ...(rate < 1 ? { sample: touchIdSample(rate, examples.length, rows) } : {}) };
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

/**
 * One line as an example: a compact line's values at `positions` of the manifest columns (−1 =
 * null) in `makeRecord`'s shape, each number through `pool` when one is given (a set being held;
 * a stream's records are transient); a whole-object line (the earlier format) as it is.
 */
function exampleOf(line: string, columnCount: number, positions: readonly number[], makeRecord: RecordMaker, pool?: FeatureValuePool): TrainingExample {
  const parsed = JSON.parse(line) as unknown;
  if (!Array.isArray(parsed)) return parsed as TrainingExample;
  if (parsed.length !== columnCount + 5) throw new Error(`a line has ${parsed.length - 5} feature values but the manifest lists ${columnCount} columns`);
  const values = positions.map((p) => {
    const v = p < 0 ? null : (parsed[5 + p] as FeatureValue);
    return pool ? pool.value(v) : v;
  });
  const [touch_id, client_id, campaign_id, ts, label] = parsed as [string, string, string, number, 0 | 1];
  return { touch_id, client_id, campaign_id, ts, label, features: makeRecord(values) };
}

/**
 * Every example of the set stored in `dir`, in file (touch-time) order, one at a time: for passes
 * over a set too big to hold (a TrainingSet with `sample`). `features`: only these names in each
 * record (absent columns null), for a pass that reads a few (the pattern miner); default every
 * column. The records are transient: their numbers are not pooled.
 */
export async function* streamTrainingExamples(dir: string, manifest: TrainingSetManifest, options: { features?: readonly string[] } = {}): AsyncGenerator<TrainingExample> {
  const names = options.features ?? manifest.columns.map((c) => c.name);
  const at = new Map(manifest.columns.map((c, i) => [c.name, i]));
  const positions = names.map((n) => at.get(n) ?? -1);
  const makeRecord = recordMaker(names);
  const lines = createInterface({ input: createReadStream(path.join(dir, manifest.file), 'utf8'), crlfDelay: Infinity });
  let rows = 0;
  for await (const line of lines) {
    if (line.length === 0) continue;
    rows++;
    yield exampleOf(line, manifest.columns.length, positions, makeRecord);
  }
  if (rows !== manifest.rows) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `training set ${dir} has ${rows} rows but its manifest says ${manifest.rows}; rebuild it`, { details: { issues: [{ path: dir, reason: 'row count mismatch' }] } });
  }
}

/** The examples of the file (those in the sample at `rate` < 1) and its row count. */
async function readLines(file: string, columns: readonly FeatureColumn[], rate: number): Promise<{ examples: TrainingExample[]; rows: number }> {
  const out: TrainingExample[] = [];
  const makeRecord = recordMaker(columns.map((c) => c.name));
  const every = columns.map((_, i) => i);
  const pool = new FeatureValuePool();
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let rows = 0;
  for await (const line of lines) {
    if (line.length === 0) continue;
    rows++;
    if (rate >= 1 || inSample(touchIdOf(line), rate)) out.push(exampleOf(line, columns.length, every, makeRecord, pool));
  }
  return { examples: out, rows };
}

/** The touch id of a line without parsing the rest (a compact line starts `["<touch id>",`). */
function touchIdOf(line: string): string {
  if (line.startsWith('["')) {
    const end = line.indexOf('",');
    const id = line.slice(2, end);
    if (end > 0 && !id.includes('\\')) return id;
  }
  const parsed = JSON.parse(line) as unknown;
  return Array.isArray(parsed) ? String(parsed[0]) : (parsed as TrainingExample).touch_id;
}
