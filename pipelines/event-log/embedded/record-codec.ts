/**
 * On-disk framing of one log record (little endian):
 *
 *   frame:  [u32 bodyLength][u32 crc32(body)][body]
 *   body:   [f64 offset][f64 timestamp][f64 appendTime][u16 idBytes][u16 keyBytes][id][key][value]
 *
 * The CRC makes a torn or damaged record detectable; the offset inside the body lets a scan check
 * that records are dense and in order.
 */
import { crc32 } from 'node:zlib';
import { invalidInput } from '../../../core/errors.ts';
import type { AppendRecord, LogRecord } from '../event-log.ts';

export const FRAME_HEADER = 8;
export const BODY_FIXED = 28;
const MAX_SHORT = 0xffff;

export { crc32 };

/** A record ready to be written: its offset is assigned by the partition. */
export interface OutgoingRecord {
  record: AppendRecord;
  offset: number;
}

export interface EncodedBatch {
  buffer: Buffer;
  /** Start position of each record inside `buffer`, plus the total length at the end. */
  positions: number[];
}

/** Encodes records into one buffer (one write per partition per batch). */
export function encodeBatch(records: OutgoingRecord[], appendTime: number): EncodedBatch {
  const sizes = new Array<[number, number, number]>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = (records[i] as OutgoingRecord).record;
    const s: [number, number, number] = [Buffer.byteLength(r.id), Buffer.byteLength(r.key), Buffer.byteLength(r.value)];
    if (s[0] > MAX_SHORT || s[1] > MAX_SHORT) {
      throw invalidInput(`record id/key too long (max ${MAX_SHORT} bytes)`, [{ path: s[0] > MAX_SHORT ? 'id' : 'key', reason: 'too long' }]);
    }
    sizes[i] = s;
    total += FRAME_HEADER + BODY_FIXED + s[0] + s[1] + s[2];
  }
  const buffer = Buffer.allocUnsafe(total);
  const positions = new Array<number>(records.length + 1);
  let pos = 0;
  for (let i = 0; i < records.length; i++) {
    const { record: r, offset } = records[i] as OutgoingRecord;
    const [idLen, keyLen, valueLen] = sizes[i] as [number, number, number];
    positions[i] = pos;
    const body = pos + FRAME_HEADER;
    const bodyLen = BODY_FIXED + idLen + keyLen + valueLen;
    buffer.writeUInt32LE(bodyLen, pos);
    buffer.writeDoubleLE(offset, body);
    buffer.writeDoubleLE(r.timestamp, body + 8);
    buffer.writeDoubleLE(appendTime, body + 16);
    buffer.writeUInt16LE(idLen, body + 24);
    buffer.writeUInt16LE(keyLen, body + 26);
    let p = body + BODY_FIXED;
    p += buffer.write(r.id, p, 'utf8');
    p += buffer.write(r.key, p, 'utf8');
    buffer.write(r.value, p, 'utf8');
    buffer.writeUInt32LE(crc32(buffer.subarray(body, body + bodyLen)), pos + 4);
    pos = body + bodyLen;
  }
  positions[records.length] = pos;
  return { buffer, positions };
}

/** Result of checking the frame at `pos` of `buf` (whose bytes end at `end`). */
export type FrameCheck =
  | { kind: 'ok'; bodyLen: number }
  /** The frame does not fit in the bytes available. */
  | { kind: 'incomplete'; need: number }
  | { kind: 'bad'; reason: string };

/** Checks the frame at `pos`; `verifyCrc` false skips the CRC for bytes this process already verified or wrote. */
export function checkFrame(buf: Buffer, pos: number, end: number, verifyCrc = true): FrameCheck {
  if (end - pos < FRAME_HEADER) return { kind: 'incomplete', need: FRAME_HEADER };
  const bodyLen = buf.readUInt32LE(pos);
  if (bodyLen < BODY_FIXED) return { kind: 'bad', reason: `frame length ${bodyLen} too small` };
  if (end - pos < FRAME_HEADER + bodyLen) return { kind: 'incomplete', need: FRAME_HEADER + bodyLen };
  const body = pos + FRAME_HEADER;
  if (verifyCrc && crc32(buf.subarray(body, body + bodyLen)) !== buf.readUInt32LE(pos + 4)) return { kind: 'bad', reason: 'CRC mismatch' };
  return { kind: 'ok', bodyLen };
}

export const bodyOffset = (buf: Buffer, body: number): number => buf.readDoubleLE(body);
export const bodyAppendTime = (buf: Buffer, body: number): number => buf.readDoubleLE(body + 16);

/** The id of a checked frame whose body starts at `body`. */
export function bodyId(buf: Buffer, body: number): string {
  const idLen = buf.readUInt16LE(body + 24);
  return buf.toString('utf8', body + BODY_FIXED, body + BODY_FIXED + idLen);
}

/** Decodes a checked frame's body into a LogRecord of `topic`/`partition`. */
export function decodeRecord(buf: Buffer, body: number, bodyLen: number, topic: string, partition: number): LogRecord {
  const idLen = buf.readUInt16LE(body + 24);
  const keyLen = buf.readUInt16LE(body + 26);
  const idStart = body + BODY_FIXED;
  const keyStart = idStart + idLen;
  const valueStart = keyStart + keyLen;
  const end = body + bodyLen;
  // One decode for id + key + value; when it is ASCII (chars = bytes) the fields are substrings.
  const text = buf.toString('utf8', idStart, end);
  const ascii = text.length === end - idStart;
  return {
    topic,
    partition,
    offset: buf.readDoubleLE(body),
    id: ascii ? text.slice(0, idLen) : buf.toString('utf8', idStart, keyStart),
    key: ascii ? text.slice(idLen, idLen + keyLen) : buf.toString('utf8', keyStart, valueStart),
    timestamp: buf.readDoubleLE(body + 8),
    value: ascii ? text.slice(idLen + keyLen) : buf.toString('utf8', valueStart, end),
  };
}
