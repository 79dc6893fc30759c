/**
 * The stream job's checkpoint: the engine's open-window state together with the log positions it
 * covers, written atomically (`<home>/features/checkpoints/<group>.checkpoint.jsonl`) BEFORE the
 * group commits those offsets. On restart the checkpoint is the truth: the job resumes from its
 * positions with its state; without one (or after a view definition changed) it replays the log
 * from the start.
 *
 * File format (2): JSON lines, never one JSON text — the state of a busy log (ids remembered for
 * ~30 h, touches for 8 days) outgrows V8's largest string (~512 MiB) at about a million events a
 * day. Line 1 is the checkpoint with every array longer than `chunk` elements left empty; each
 * further line is `[path, elements]`, up to `chunk` elements to append to the array at `path`
 * (keys and indices from the root), in order.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { homePath, type AlmanacConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import type { EngineSnapshot } from '../aggregation/aggregation-engine.ts';
import { writePiecesAtomic } from '../../core/atomic-file.ts';

export interface StreamCheckpoint {
  format: 2;
  group: string;
  topic: string;
  /** Next offset to read, per partition. */
  offsets: Record<string, number>;
  engine: EngineSnapshot;
  savedAt: string;
}

/** Elements per line of a long array (the default keeps lines to a few MB). */
export const CHECKPOINT_CHUNK = 20_000;

type Path = (string | number)[];

/** A checkpoint file's name is the URI-encoded group and this suffix. */
export const CHECKPOINT_SUFFIX = '.checkpoint.jsonl';

export function checkpointPath(config: AlmanacConfig, group: string): string {
  return homePath(config, 'features', 'checkpoints', `${encodeURIComponent(group)}${CHECKPOINT_SUFFIX}`);
}

export async function loadCheckpoint(config: AlmanacConfig, group: string): Promise<StreamCheckpoint | undefined> {
  const file = checkpointPath(config, group);
  if (!existsSync(file)) return undefined;
  try {
    const cp = (await readChunked(file)) as StreamCheckpoint | undefined;
    return cp !== undefined && cp.format === 2 && cp.group === group ? cp : undefined;
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `stream checkpoint ${file} is unreadable (${(e as Error).message}); delete it to replay the log from the start`, { cause: e, retriable: false });
  }
}

export async function saveCheckpoint(config: AlmanacConfig, cp: Omit<StreamCheckpoint, 'format' | 'savedAt'>, options: { chunk?: number } = {}): Promise<void> {
  const full: StreamCheckpoint = { format: 2, ...cp, savedAt: new Date().toISOString() };
  await writePiecesAtomic(checkpointPath(config, cp.group), chunkedLines(full, options.chunk ?? CHECKPOINT_CHUNK));
}

/** The chunked JSON lines of `value` (see the file format above). */
export function* chunkedLines(value: unknown, chunk: number): Generator<string> {
  const long: { path: Path; items: unknown[] }[] = [];
  const skeleton = strip(value, [], chunk, long);
  yield `${JSON.stringify(skeleton)}\n`;
  for (const { path, items } of long) {
    for (let i = 0; i < items.length; i += chunk) yield `${JSON.stringify([path, items.slice(i, i + chunk)])}\n`;
  }
}

function strip(value: unknown, path: Path, chunk: number, long: { path: Path; items: unknown[] }[]): unknown {
  if (Array.isArray(value)) {
    if (value.length > chunk) {
      long.push({ path, items: value });
      return [];
    }
    return value.map((v, i) => strip(v, [...path, i], chunk, long));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = strip(v, [...path, k], chunk, long);
    return out;
  }
  return value;
}

async function readChunked(file: string): Promise<unknown> {
  let root: unknown;
  let first = true;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    if (first) {
      root = JSON.parse(line);
      first = false;
      continue;
    }
    const [path, items] = JSON.parse(line) as [Path, unknown[]];
    let at: unknown = root;
    for (const key of path) at = (at as Record<string | number, unknown>)[key];
    if (!Array.isArray(at) || !Array.isArray(items)) throw new Error(`line for ${JSON.stringify(path)} does not continue an array`);
    for (const item of items) at.push(item);
  }
  return root;
}
