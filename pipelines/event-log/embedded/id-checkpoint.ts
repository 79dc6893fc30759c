/**
 * Checkpoint of a topic's idempotent-id set: the hashes of every id in partitions up to the
 * recorded offsets. On open the set is the checkpoint plus a scan of the records after it; a
 * checkpoint that claims more than the log holds (records lost after a crash without fsync) or
 * fails its CRC is ignored and the set is rebuilt from the whole log.
 *
 * Layout (LE): "ALIDS001" | u32 partitions | f64 offsets[partitions] | f64 count | f64 keys[count] | u32 crc32
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../../core/atomic-file.ts';
import { crc32 } from './record-codec.ts';

const MAGIC = 'ALIDS001';

export interface IdCheckpoint {
  /** Per partition, the next offset covered by `keys`. */
  offsets: number[];
  keys: Float64Array;
}

export function writeIdCheckpoint(file: string, checkpoint: IdCheckpoint, sync: boolean): void {
  const p = checkpoint.offsets.length;
  const size = 8 + 4 + 8 * p + 8 + 8 * checkpoint.keys.length + 4;
  const buf = Buffer.allocUnsafe(size);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(p, 8);
  checkpoint.offsets.forEach((o, i) => buf.writeDoubleLE(o, 12 + 8 * i));
  let pos = 12 + 8 * p;
  buf.writeDoubleLE(checkpoint.keys.length, pos);
  pos += 8;
  Buffer.from(checkpoint.keys.buffer, checkpoint.keys.byteOffset, checkpoint.keys.byteLength).copy(buf, pos);
  pos += checkpoint.keys.byteLength;
  buf.writeUInt32LE(crc32(buf.subarray(0, pos)), pos);
  writeFileAtomicSync(file, buf, { fsync: sync });
}

/** The checkpoint, or undefined when absent, damaged or for another partition count. */
export function readIdCheckpoint(file: string, partitions: number): IdCheckpoint | undefined {
  if (!existsSync(file)) return undefined;
  const buf = readFileSync(file);
  if (buf.length < 24 || buf.toString('latin1', 0, 8) !== MAGIC) return undefined;
  if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) return undefined;
  const p = buf.readUInt32LE(8);
  if (p !== partitions) return undefined;
  const offsets = Array.from({ length: p }, (_, i) => buf.readDoubleLE(12 + 8 * i));
  const countAt = 12 + 8 * p;
  const count = buf.readDoubleLE(countAt);
  if (buf.length !== countAt + 8 + 8 * count + 4) return undefined;
  const keys = new Float64Array(count);
  Buffer.from(keys.buffer).set(buf.subarray(countAt + 8, countAt + 8 + 8 * count));
  return { offsets, keys };
}
