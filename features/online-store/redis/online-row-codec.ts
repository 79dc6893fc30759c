/**
 * How one online row is laid out in a Redis hash: `_ts` (epoch ms of the values), `_exp` (epoch
 * ms from which the row is no longer served, when the view has a TTL), and one field per
 * feature. Numbers are stored as their decimal text (readable in redis-cli), strings as JSON text
 * (always starting with `"`), so a read gives back exactly the types that were written.
 */
import { invalidInput } from '../../../core/errors.ts';
import { isServed } from '../online-expiry.ts';
import type { OnlineKey, OnlineValue } from '../online-store.ts';

export const TS_FIELD = '_ts';
export const EXP_FIELD = '_exp';

/** `<prefix>f:<view>:<entity>`; view names may not contain ':' so keys never collide. */
export function onlineKey(prefix: string, key: OnlineKey): string {
  return `${prefix}f:${key.view}:${key.entity}`;
}

export function encodeValue(v: number | string): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

export function decodeValue(raw: string): number | string {
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw);
}

/** Field/value pairs of a row, flattened for HSET. */
export function encodeFields(values: Record<string, number | string>): string[] {
  const out: string[] = [];
  for (const [name, v] of Object.entries(values)) out.push(name, encodeValue(v));
  return out;
}

/** A hash from HGETALL → the row, or undefined when missing or expired at `now` (../online-expiry.ts). */
export function decodeRow(hash: Record<string, string>, now: number): OnlineValue | undefined {
  const ts = hash[TS_FIELD];
  if (ts === undefined) return undefined;
  const exp = hash[EXP_FIELD];
  if (exp !== undefined && !isServed(Number(exp), now)) return undefined;
  const values: Record<string, number | string> = {};
  for (const [name, raw] of Object.entries(hash)) {
    if (name !== TS_FIELD && name !== EXP_FIELD) values[name] = decodeValue(raw);
  }
  return { timestamp: Number(ts), values };
}

/** Validates a row before anything is written, so a bad batch writes nothing. */
export function checkRow(row: OnlineKey & OnlineValue, index: number): void {
  const fail = (path: string, reason: string) =>
    invalidInput(`online row ${index}: ${path} ${reason}`, [{ path: `rows.${index}.${path}`, reason }]);
  if (typeof row.view !== 'string' || row.view === '' || row.view.includes(':')) throw fail('view', `'${String(row.view)}' must be a non-empty name without ':'`);
  if (typeof row.entity !== 'string' || row.entity === '') throw fail('entity', `'${String(row.entity)}' must be a non-empty string`);
  if (typeof row.timestamp !== 'number' || !Number.isFinite(row.timestamp)) throw fail('timestamp', `'${String(row.timestamp)}' must be epoch ms`);
  if (typeof row.values !== 'object' || row.values === null) throw fail('values', 'must be an object');
  for (const [name, v] of Object.entries(row.values)) {
    if (name === TS_FIELD || name === EXP_FIELD) throw fail(`values.${name}`, 'is a reserved field name');
    if (typeof v !== 'number' && typeof v !== 'string') throw fail(`values.${name}`, `'${String(v)}' must be a number or a string`);
  }
}
