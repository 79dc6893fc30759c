/**
 * Sequential scan of a segment file's frames, chunk by chunk, verifying each CRC. Used on open
 * (index building, torn-tail detection) and to catch up with records written by another process.
 */
import { readSync } from 'node:fs';
import { bodyOffset, checkFrame, FRAME_HEADER } from './record-codec.ts';

export type ScanStop =
  /** Every byte up to the file size is a whole, valid record. */
  | { kind: 'clean' }
  /** The bytes from `position` are an incomplete or damaged last record (or zero fill). */
  | { kind: 'torn'; position: number; reason: string }
  /** A damaged record followed by more data, or an offset out of sequence. */
  | { kind: 'corrupt'; position: number; reason: string };

export interface ScanResult {
  /** Position after the last whole record. */
  end: number;
  /** Offset after the last whole record. */
  nextOffset: number;
  stop: ScanStop;
}

/** Called per whole record: the buffer, the body start, body length and file position of the frame. */
export type FrameVisitor = (buf: Buffer, body: number, bodyLen: number, position: number) => void;

const CHUNK = 1 << 20;

/**
 * Scans frames of `fd` from `position` (whose first record must carry `expectedOffset`) to `fileSize`.
 */
export function scanFrames(fd: number, position: number, fileSize: number, expectedOffset: number, visit: FrameVisitor): ScanResult {
  let buf = Buffer.allocUnsafe(CHUNK);
  let pos = position;
  let next = expectedOffset;
  while (pos < fileSize) {
    const want = Math.min(buf.length, fileSize - pos);
    const got = readFully(fd, buf, want, pos);
    let p = 0;
    while (p < got) {
      const check = checkFrame(buf, p, got);
      if (check.kind === 'incomplete') {
        if (pos + p + check.need > fileSize) return { end: pos + p, nextOffset: next, stop: tornOrCorrupt(fd, pos + p, fileSize, 'incomplete record') };
        if (check.need > buf.length) buf = Buffer.allocUnsafe(check.need);
        break;
      }
      if (check.kind === 'bad') {
        const frameEnd = pos + p + FRAME_HEADER + buf.readUInt32LE(p);
        const stop = frameEnd >= fileSize ? { kind: 'torn' as const, position: pos + p, reason: check.reason } : tornOrCorrupt(fd, pos + p, fileSize, check.reason);
        return { end: pos + p, nextOffset: next, stop };
      }
      const body = p + FRAME_HEADER;
      const offset = bodyOffset(buf, body);
      if (offset !== next) {
        return { end: pos + p, nextOffset: next, stop: { kind: 'corrupt', position: pos + p, reason: `offset ${offset} where ${next} was expected` } };
      }
      visit(buf, body, check.bodyLen, pos + p);
      next++;
      p = body + check.bodyLen;
    }
    pos += p;
  }
  return { end: pos, nextOffset: next, stop: { kind: 'clean' } };
}

/** Torn when the rest of the file is zero fill or a single unfinished frame; corrupt otherwise. */
function tornOrCorrupt(fd: number, position: number, fileSize: number, reason: string): ScanStop {
  const rest = fileSize - position;
  const tail = Buffer.alloc(Math.min(rest, 1 << 16));
  const got = readFully(fd, tail, tail.length, position);
  const header = got >= 4 ? tail.readUInt32LE(0) : 0;
  if (got < 4 || position + FRAME_HEADER + header >= fileSize || tail.subarray(0, got).every((b) => b === 0)) {
    return { kind: 'torn', position, reason };
  }
  return { kind: 'corrupt', position, reason };
}

export function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
