/**
 * One partition: a folder of segment files named by base offset. Appends go to the last (active)
 * segment, which rolls when it would exceed `segmentBytes`; reads walk segments in order.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AlmanacError } from '../../../core/errors.ts';
import { syncDir } from '../../../core/atomic-file.ts';
import { encodeBatch, type OutgoingRecord } from './record-codec.ts';
import { Segment, segmentName, shownLogFile } from './segment.ts';
import type { FrameVisitor } from './segment-scan.ts';

export interface PartitionOptions {
  segmentBytes: number;
  fsync: boolean;
}

export class PartitionLog {
  private segments: Segment[] = [];

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly dir: string,
    private readonly options: PartitionOptions,
  ) {}

  /** Opens (or creates) the partition folder, cutting a torn tail off the active segment. */
  static open(topic: string, partition: number, dir: string, options: PartitionOptions): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(topic, partition, dir, options);
    const bases = listBases(dir);
    bases.forEach((base, i) => log.segments.push(Segment.open(dir, base, i === bases.length - 1)));
    if (log.segments.length === 0) log.segments.push(Segment.create(dir, 0));
    log.checkContiguous();
    return log;
  }

  get start(): number {
    return (this.segments[0] as Segment).baseOffset;
  }

  get end(): number {
    return this.active.nextOffset;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }

  /**
   * Picks up records and segments written by another process.
   * @param repair - the caller holds the append lock, so a torn tail may be cut.
   * @returns the number of new records found.
   */
  catchUp(repair: boolean): number {
    let found = this.active.catchUp(repair);
    for (;;) {
      const next = this.active.nextOffset;
      if (!existsSync(path.join(this.dir, `${segmentName(next)}.log`)) || next === this.active.baseOffset) return found;
      this.segments.push(Segment.open(this.dir, next, true));
      found += this.active.count;
    }
  }

  /** Writes records (offsets already assigned, dense from `end`) with one write per segment. */
  async append(records: OutgoingRecord[], appendTime: number): Promise<void> {
    const { buffer, positions } = encodeBatch(records, appendTime);
    let first = 0;
    while (first < records.length) {
      if (this.active.size > 0 && this.active.size + ((positions[first + 1] as number) - (positions[first] as number)) > this.options.segmentBytes) this.roll();
      const room = this.options.segmentBytes - this.active.size;
      let last = first + 1;
      while (last < records.length && (positions[last + 1] as number) - (positions[first] as number) <= room) last++;
      await this.writeRun(buffer, positions, first, last, appendTime);
      first = last;
    }
  }

  private async writeRun(buffer: Buffer, positions: number[], first: number, last: number, appendTime: number): Promise<void> {
    const from = positions[first] as number;
    const seg = this.active;
    const before = seg.size;
    const relative = positions.slice(first, last + 1).map((p) => p - from);
    try {
      await seg.append(buffer.subarray(from, positions[last] as number), relative, seg.nextOffset, appendTime, this.options.fsync);
    } catch (e) {
      seg.truncateTo(before);
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `cannot write event log ${seg.file}: ${(e as Error).message}`, { cause: e });
    }
  }

  private roll(): void {
    const closing = this.active;
    closing.writeSidecar(this.options.fsync);
    this.segments.push(Segment.create(this.dir, closing.nextOffset));
    if (this.options.fsync) syncDir(this.dir);
  }

  /**
   * Visits up to `max` records from `offset`, across segments.
   * @throws ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE when `offset` is outside [start, end].
   */
  forEach(offset: number, max: number, visit: FrameVisitor): number {
    this.checkOffset(offset);
    let visited = 0;
    let at = offset;
    for (let i = this.segmentIndex(offset); i < this.segments.length && visited < max; i++) {
      const seg = this.segments[i] as Segment;
      const n = seg.forEach(at, max - visited, visit);
      visited += n;
      at += n;
    }
    return visited;
  }

  checkOffset(offset: number): void {
    if (!Number.isInteger(offset) || offset < this.start || offset > this.end) {
      throw new AlmanacError('ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE', `offset ${offset} is outside partition ${this.topic}/${this.partition} [${this.start}, ${this.end}]`, {
        details: { topic: this.topic, partition: this.partition, offset, start: this.start, end: this.end },
      });
    }
  }

  private segmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.segments[mid] as Segment).baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Removes closed segments whose newest record was appended before `cutoff` (epoch ms). */
  removeOlderThan(cutoff: number): number {
    let removed = 0;
    while (this.segments.length > 1 && (this.segments[0] as Segment).maxAppendTime < cutoff) {
      const seg = this.segments.shift() as Segment;
      removed += seg.count;
      seg.close();
      rmSync(seg.file, { force: true });
      rmSync(seg.file.replace(/\.log$/, '.index'), { force: true });
    }
    if (removed > 0 && this.options.fsync) syncDir(this.dir);
    return removed;
  }

  private checkContiguous(): void {
    for (let i = 1; i < this.segments.length; i++) {
      const prev = this.segments[i - 1] as Segment;
      const seg = this.segments[i] as Segment;
      if (prev.nextOffset !== seg.baseOffset) {
        throw new AlmanacError('ALMANAC_ERR_LOG_CORRUPT', `event log segment ${shownLogFile(seg.file)} starts at ${seg.baseOffset} but the previous one ends at ${prev.nextOffset}; restore the missing segment from a backup`, {
          details: { file: shownLogFile(seg.file) },
        });
      }
    }
  }

  close(): void {
    for (const seg of this.segments) seg.close();
    this.segments = [];
  }
}

function listBases(dir: string): number[] {
  return readdirSync(dir)
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
}
