/** Fast, stable (cross-process, cross-version) string hashes used for partitioning and id sets. */

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A 52-bit hash as a safe integer (two independent 32-bit FNV-1a lanes), for id sets. */
export function hash52(s: string): number {
  const hi = fnv1a32(s, 0x811c9dc5) & 0xfffff;
  const lo = fnv1a32(s, 0x050c5d1f);
  return hi * 0x100000000 + lo;
}

/** Partition of a key, the same rule in every process (Kafka adapters use the engine's own partitioner). */
export function partitionOf(key: string, partitions: number): number {
  return fnv1a32(key) % partitions;
}
