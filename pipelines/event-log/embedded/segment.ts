/**
 * One segment file of a partition: records from `baseOffset` on, named by that base offset.
 * Keeps a sparse in-memory position index (an entry every INDEX_INTERVAL bytes) so a read seeks
 * close to its offset, and remembers where the last read ended so sequential scans never search.
 * A closed segment has a sidecar `.index` (JSON) so reopening does not rescan it.
 */
import { closeSync, existsSync, fdatasync, fstatSync, ftruncateSync, openSync, readFileSync, write } from 'node:fs';
import path from 'node:path';
import { AlmanacError } from '../../../core/errors.ts';
import { writeFileAtomicSync } from '../../../core/atomic-file.ts';
import { bodyAppendTime, bodyOffset, checkFrame, FRAME_HEADER } from './record-codec.ts';
import { readFully, scanFrames, type FrameVisitor, type ScanResult } from './segment-scan.ts';

const INDEX_INTERVAL = 16 * 1024;

export const segmentName = (base: number): string => String(base).padStart(20, '0');

interface SidecarIndex {
  size: number;
  nextOffset: number;
  maxAppendTime: number;
  offsets: number[];
  positions: number[];
}

export class Segment {
  size = 0;
  nextOffset: number;
  maxAppendTime = 0;
  /** Bytes [0, verifiedEnd) were CRC-checked by a scan or written by this process: reads skip their CRC. */
  private verifiedEnd = 0;
  private readonly offsets: number[] = [];
  private readonly positions: number[] = [];
  private lastIndexed = -Infinity;
  private cursor = { offset: -1, position: 0 };

  private constructor(
    readonly baseOffset: number,
    readonly file: string,
    private fd: number,
  ) {
    this.nextOffset = baseOffset;
  }

  /** Creates an empty segment file (or opens an empty leftover of the same name, e.g. after a crash mid-roll). */
  static create(dir: string, base: number): Segment {
    const file = path.join(dir, `${segmentName(base)}.log`);
    const fd = openSync(file, existsSync(file) ? 'r+' : 'wx+');
    if (fstatSync(fd).size > 0) {
      closeSync(fd);
      throw corrupt(file, 0, 'a new segment would overwrite an existing non-empty file');
    }
    return new Segment(base, file, fd);
  }

  /**
   * Opens a segment. The last segment of a partition (`active`) may end in a torn record, which is
   * cut off; anything else that fails its CRC is ALMANAC_ERR_LOG_CORRUPT.
   */
  static open(dir: string, base: number, active: boolean): Segment {
    const file = path.join(dir, `${segmentName(base)}.log`);
    const seg = new Segment(base, file, openSync(file, 'r+'));
    const fileSize = fstatSync(seg.fd).size;
    if (!active && seg.loadSidecar(fileSize)) return seg;
    const result = seg.scanFrom(0, fileSize);
    if (result.stop.kind === 'corrupt' || (result.stop.kind === 'torn' && !active)) {
      closeSync(seg.fd);
      throw corrupt(file, result.stop.position, result.stop.reason);
    }
    if (result.stop.kind === 'torn') ftruncateSync(seg.fd, result.end);
    return seg;
  }

  get count(): number {
    return this.nextOffset - this.baseOffset;
  }

  /**
   * Picks up records appended by another process after `size`. With `repair` (caller holds the
   * append lock) a torn tail is cut; without, scanning just stops before it.
   */
  catchUp(repair: boolean): number {
    const before = this.nextOffset;
    const fileSize = fstatSync(this.fd).size;
    if (fileSize <= this.size) return 0;
    const result = this.scanFrom(this.size, fileSize);
    if (result.stop.kind === 'corrupt') throw corrupt(this.file, result.stop.position, result.stop.reason);
    if (result.stop.kind === 'torn' && repair) ftruncateSync(this.fd, result.end);
    return this.nextOffset - before;
  }

  private scanFrom(position: number, fileSize: number): ScanResult {
    const visit: FrameVisitor = (buf, body, _len, pos) => {
      this.indexRecord(bodyOffset(buf, body), pos, bodyAppendTime(buf, body));
    };
    const result = scanFrames(this.fd, position, fileSize, this.nextOffset, visit);
    if (this.verifiedEnd === position) this.verifiedEnd = result.end;
    this.size = result.end;
    this.nextOffset = result.nextOffset;
    return result;
  }

  private indexRecord(offset: number, position: number, appendTime: number): void {
    if (position - this.lastIndexed >= INDEX_INTERVAL) {
      this.offsets.push(offset);
      this.positions.push(position);
      this.lastIndexed = position;
    }
    if (appendTime > this.maxAppendTime) this.maxAppendTime = appendTime;
  }

  /** Writes an encoded run of records (positions relative to `buffer`) at the end of the file. */
  async append(buffer: Buffer, positions: number[], firstOffset: number, appendTime: number, sync: boolean): Promise<void> {
    const at = this.size;
    await writeAll(this.fd, buffer, at);
    if (sync) await datasync(this.fd);
    for (let i = 0; i < positions.length - 1; i++) this.indexRecord(firstOffset + i, at + (positions[i] as number), appendTime);
    if (this.verifiedEnd === at) this.verifiedEnd = at + buffer.length;
    this.size = at + buffer.length;
    this.nextOffset = firstOffset + positions.length - 1;
  }

  /** Cuts the file back to `size` after a failed write. */
  truncateTo(size: number): void {
    ftruncateSync(this.fd, size);
  }

  /**
   * Visits up to `max` whole records from `offset` (which must be in this segment).
   * @returns the number of records visited.
   */
  forEach(offset: number, max: number, visit: FrameVisitor): number {
    if (offset >= this.nextOffset || max <= 0) return 0;
    let pos = this.cursor.offset === offset ? this.cursor.position : this.seekPosition(offset);
    const avg = this.count > 0 ? this.size / this.count : 256;
    let buf = scratch(Math.min(Math.max(Math.ceil(max * avg * 1.1) + 256, 64 * 1024), 8 << 20, Math.max(this.size - pos, 1)));
    const verifiedFrom = pos;
    let visited = 0;
    let next = offset;
    while (visited < max && pos < this.size) {
      const got = readFully(this.fd, buf, Math.min(buf.length, this.size - pos), pos);
      let p = 0;
      while (visited < max && p < got) {
        const check = checkFrame(buf, p, got, pos + p >= this.verifiedEnd);
        if (check.kind === 'incomplete') {
          if (pos + p + check.need > this.size) throw corrupt(this.file, pos + p, 'record crosses the segment end');
          if (check.need > buf.length) buf = scratch(check.need);
          break;
        }
        if (check.kind === 'bad') throw corrupt(this.file, pos + p, check.reason);
        const body = p + FRAME_HEADER;
        const recordOffset = bodyOffset(buf, body);
        if (recordOffset >= offset) {
          if (recordOffset !== next) throw corrupt(this.file, pos + p, `offset ${recordOffset} where ${next} was expected`);
          visit(buf, body, check.bodyLen, pos + p);
          visited++;
          next++;
        }
        p = body + check.bodyLen;
      }
      pos += p;
    }
    if (verifiedFrom <= this.verifiedEnd && pos > this.verifiedEnd) this.verifiedEnd = pos;
    this.cursor = { offset: next, position: pos };
    return visited;
  }

  private seekPosition(offset: number): number {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.offsets[mid] as number) <= offset) {
        best = this.positions[mid] as number;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** Persists the sparse index beside the (now closed) segment. */
  writeSidecar(sync: boolean): void {
    const index: SidecarIndex = { size: this.size, nextOffset: this.nextOffset, maxAppendTime: this.maxAppendTime, offsets: this.offsets, positions: this.positions };
    writeFileAtomicSync(this.file.replace(/\.log$/, '.index'), JSON.stringify(index), { fsync: sync });
  }

  private loadSidecar(fileSize: number): boolean {
    const indexFile = this.file.replace(/\.log$/, '.index');
    if (!existsSync(indexFile)) return false;
    try {
      const index = JSON.parse(readFileSync(indexFile, 'utf8')) as SidecarIndex;
      if (index.size !== fileSize || index.offsets.length !== index.positions.length) return false;
      this.size = index.size;
      this.nextOffset = index.nextOffset;
      this.maxAppendTime = index.maxAppendTime;
      this.offsets.push(...index.offsets);
      this.positions.push(...index.positions);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

let scratchBuffer = Buffer.allocUnsafe(1 << 20);

/**
 * A read buffer of at least `size` bytes, shared by every read of the process: reads are
 * synchronous and visitors copy what they keep (strings), so reusing it spares the GC.
 */
function scratch(size: number): Buffer {
  if (scratchBuffer.length < size) scratchBuffer = Buffer.allocUnsafe(size);
  return scratchBuffer.length === size ? scratchBuffer : scratchBuffer.subarray(0, size);
}

/**
 * A log file as the home shows it: `log/<topic>/<partition>/<file>` (the embedded log lives at
 * `<home>/log`), so refusals name the file without the server's absolute path.
 */
export function shownLogFile(file: string): string {
  return path.posix.join('log', ...file.split(path.sep).slice(-3));
}

export function corrupt(file: string, position: number, reason: string): AlmanacError {
  const shown = shownLogFile(file);
  return new AlmanacError('ALMANAC_ERR_LOG_CORRUPT', `event log segment ${shown} is corrupt at byte ${position}: ${reason}; restore it from a backup, or move it and the segments after it out of the partition folder (their events are lost) and re-ingest them`, {
    details: { file: shown, position, reason },
  });
}

function writeAll(fd: number, buffer: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      if (done >= buffer.length) return resolve();
      write(fd, buffer, done, buffer.length - done, position + done, (err, n) => (err ? reject(err) : step(done + n)));
    };
    step(0);
  });
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}
