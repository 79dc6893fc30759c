/**
 * Qdrant point ids must be unsigned integers or UUIDs; ours are arbitrary strings ('01', '1.0',
 * 'client-7:pattern-3'). Each id maps to an RFC 4122 version-5 UUID (SHA-1 of a fixed namespace
 * and the id's UTF-8 bytes): stable across processes, distinct for distinct strings ('1' ≠ '01'
 * ≠ '1.0'), and the original id is kept in the payload (`id`) so it is returned unchanged.
 */
import { createHash } from 'node:crypto';

/** Namespace of Almanac vector ids (a fixed random UUID; never change it, or every id moves). */
export const ALMANAC_ID_NAMESPACE = '6f1c2e0a-3b9d-4c57-9a8e-2d4b7f1e5c30';

const namespaceBytes = Buffer.from(ALMANAC_ID_NAMESPACE.replace(/-/g, ''), 'hex');

export function pointId(id: string): string {
  const hash = createHash('sha1').update(namespaceBytes).update(id, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
