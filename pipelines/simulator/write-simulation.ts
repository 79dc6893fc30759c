/** Writes a simulation to DIR/events.jsonl and DIR/ground-truth.json, streaming, atomically (tmp + rename). */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { invalidInput } from '../../core/errors.ts';
import { dirname, join, resolve } from 'node:path';
import { createProgress } from '../../core/progress.ts';
import { groundTruth, type GroundTruth } from './ground-truth.ts';
import { DAY_MS, type SimulationOptions } from './simulation-options.ts';
import { startSimulation } from './simulation-run.ts';

export type WriteSimulationOptions = SimulationOptions & { out: string; quiet?: boolean };

export interface SimulationResult {
  events: number;
  files: string[];
  byType: GroundTruth['counts']['byType'];
  duplicates: number;
  outOfOrder: number;
  groundTruth: GroundTruth;
}

const CHUNK_CHARS = 256 * 1024;

/**
 * Simulates and writes the world. Re-running with the same options rewrites byte-identical files.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID for bad options (before anything is written).
 */
export async function writeSimulation(options: WriteSimulationOptions): Promise<SimulationResult> {
  const { out: outArg, quiet = false, ...simulation } = options;
  const out = resolve(outArg);
  const run = startSimulation(simulation);
  await ensureFolder(out);
  const eventsFile = join(out, 'events.jsonl');
  const truthFile = join(out, 'ground-truth.json');
  const progress = createProgress({ label: 'simulate', unit: 'events', quiet });
  const count = await writeLines(`${eventsFile}.tmp`, run.events, (n, ts) => progress.update(n, `day ${Math.floor((ts - run.world.start) / DAY_MS) + 1}/${run.world.options.days}`));
  progress.update(count);
  progress.done();
  const truth = groundTruth(run.world, run.stats, count);
  await writeFile(`${truthFile}.tmp`, `${JSON.stringify(truth, null, 2)}\n`);
  await rename(`${eventsFile}.tmp`, eventsFile);
  await rename(`${truthFile}.tmp`, truthFile);
  return {
    events: count, files: [eventsFile, truthFile], byType: truth.counts.byType,
    duplicates: truth.counts.duplicates, outOfOrder: truth.counts.outOfOrder, groundTruth: truth,
  };
}

/**
 * Creates `out` and its missing parents one level at a time. Not `mkdir({recursive: true})`: on a
 * folder that refuses children with ENOENT (e.g. `/proc/x`) Node 20's recursive mkdir retries forever.
 * @throws ALMANAC_ERR_INPUT_INVALID when `out` or a parent is a file or a folder cannot be created.
 */
async function ensureFolder(out: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = out; ; dir = dirname(dir)) {
    const existing = await stat(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
      throw cannotCreate(out, e);
    });
    if (existing && !existing.isDirectory()) {
      throw invalidInput(`--out '${out}' ${dir === out ? 'is a file' : `is under the file '${dir}'`}, not a folder; pass a folder path`, [{ path: 'out', reason: 'must be a folder' }]);
    }
    if (existing) break;
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw cannotCreate(out, e);
    });
  }
}

function cannotCreate(out: string, e: NodeJS.ErrnoException) {
  return invalidInput(`--out '${out}' cannot be created (${e.code ?? e.message}); pass a writable folder path`, [{ path: 'out', reason: `cannot be created: ${e.code ?? e.message}` }]);
}

/** Writes one JSON line per event, in chunks, waiting for 'drain' when the stream's buffer is full. */
async function writeLines(file: string, events: Iterable<AlmanacEvent>, onProgress: (n: number, ts: number) => void): Promise<number> {
  const stream = createWriteStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const failed = once(stream, 'error').then(([e]) => { throw e; });
  failed.catch(() => undefined);
  let chunk = '';
  let n = 0;
  try {
    for (const event of events) {
      chunk += `${JSON.stringify(event)}\n`;
      if (++n % 5000 === 0) onProgress(n, event.ts);
      if (chunk.length < CHUNK_CHARS) continue;
      const ok = stream.write(chunk);
      chunk = '';
      if (!ok) await Promise.race([once(stream, 'drain'), failed]);
    }
    stream.end(chunk);
    await Promise.race([once(stream, 'finish'), failed]);
    return n;
  } catch (e) {
    stream.destroy();
    await rm(file, { force: true });
    throw e;
  }
}
