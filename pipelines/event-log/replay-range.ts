/**
 * Shared by the EventLog adapters' `replay`: the per-partition ranges a replay covers (checked
 * against the partitions' offsets), and a replay driven by `read` that always advances the
 * partition furthest behind in event time, so a consumer that keeps per-partition state (the
 * aggregation engine's watermarks) holds as little open state as a stream would.
 */
import { AlmanacError, invalidInput } from '../../core/errors.ts';
import type { LogRecord, PartitionOffsets, ReplayBatch, ReplayOptions } from './event-log.ts';

export const DEFAULT_REPLAY_BATCH = 2000;

export interface ReplayRange {
  partition: number;
  /** Next offset to return. */
  from: number;
  /** Offset to stop before. */
  to: number;
}

/**
 * The non-empty ranges of a replay. @throws ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE for an offset
 * outside [start, end] of its partition, an unknown partition, or `from` > `to`.
 */
export function replayRanges(topic: string, offsets: PartitionOffsets[], options: ReplayOptions = {}): ReplayRange[] {
  const known = new Map(offsets.map((o) => [o.partition, o]));
  for (const [name, bound] of [['from', options.from], ['to', options.to]] as const) {
    for (const key of Object.keys(bound ?? {})) {
      if (!known.has(Number(key))) throw outOfRange(topic, Number(key), (bound as Record<number, number>)[Number(key)] as number, `${name}: the topic has ${offsets.length} partitions`);
    }
  }
  const ranges: ReplayRange[] = [];
  for (const o of offsets) {
    const from = options.from?.[o.partition] ?? o.start;
    const to = options.to?.[o.partition] ?? o.end;
    for (const [name, value] of [['from', from], ['to', to]] as const) {
      if (!Number.isInteger(value) || value < o.start || value > o.end) throw outOfRange(topic, o.partition, value, `${name} must be in [${o.start}, ${o.end}]`);
    }
    if (from > to) throw outOfRange(topic, o.partition, from, `from ${from} is after to ${to}`);
    if (to > from) ranges.push({ partition: o.partition, from, to });
  }
  return ranges;
}

function outOfRange(topic: string, partition: number, offset: number, why: string): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE', `replay of ${topic}[${partition}] at offset ${offset}: ${why}`, { details: { topic, partition, offset } });
}

/** Checks `batchSize` (a positive integer; default DEFAULT_REPLAY_BATCH). */
export function replayBatchSize(options: ReplayOptions = {}): number {
  const size = options.batchSize ?? DEFAULT_REPLAY_BATCH;
  if (!Number.isInteger(size) || size < 1) throw invalidInput(`replay batchSize must be a positive integer, got ${size}`, [{ path: 'batchSize', reason: 'must be a positive integer' }]);
  return size;
}

/** A replay over `read` (one partition fetch per batch), furthest-behind partition first. */
export async function* replayByReads(
  ranges: ReplayRange[],
  batchSize: number,
  read: (partition: number, offset: number, max: number) => Promise<LogRecord[]>,
): AsyncGenerator<ReplayBatch> {
  const cursors = ranges.map((r) => ({ ...r, ts: -Infinity }));
  while (cursors.length > 0) {
    let i = 0;
    for (let j = 1; j < cursors.length; j++) if ((cursors[j] as { ts: number }).ts < (cursors[i] as { ts: number }).ts) i = j;
    const c = cursors[i] as ReplayRange & { ts: number };
    const records = await read(c.partition, c.from, Math.min(batchSize, c.to - c.from));
    const last = records[records.length - 1];
    c.from = last ? last.offset + 1 : c.to;
    if (last && last.timestamp > c.ts) c.ts = last.timestamp;
    if (c.from >= c.to) cursors.splice(i, 1);
    if (records.length > 0) yield { partition: c.partition, records };
  }
}
