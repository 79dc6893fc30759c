/**
 * Checks of what callers hand the OfflineStore (view names, ranges, rows, probes, TTLs), shared by
 * every adapter so that each rejects the same input with the same code before it writes anything.
 */
import { invalidInput, type FieldIssue } from '../../core/errors.ts';
import type { FeatureRow } from '../feature-view.ts';
import type { AsOfProbe, TimeRange } from './offline-store.ts';

/** A view name: it names a folder and a table, so an identifier. */
export const VIEW_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Column names a row's values may not use (the store's own columns). */
export const RESERVED_COLUMNS: ReadonlySet<string> = new Set(['entity', 'timestamp', 'written_at', 'date']);

/** The widest range (±8.64e15 ms, the Date limits): a scan without a range. */
export const ALL_TIME: TimeRange = { from: -8.64e15, to: 8.64e15 };

export function checkView(view: string): void {
  if (typeof view !== 'string' || !VIEW_NAME.test(view)) {
    throw invalidInput(`invalid view name '${String(view)}': use letters, digits and _ (e.g. client_activity)`, [{ path: 'view', reason: 'not an identifier' }]);
  }
}

export function checkRange(range: TimeRange): void {
  const { from, to } = range;
  if (!isTime(from) || !isTime(to) || from > to) {
    throw invalidInput(`invalid time range [${from}, ${to}): from and to must be epoch ms with from ≤ to`, [{ path: 'range', reason: 'from must be ≤ to, both numbers' }]);
  }
}

/** Rows of `view`: the first few problems, all at once, or nothing. */
export function checkRows(view: string, rows: FeatureRow[]): void {
  const issues: FieldIssue[] = [];
  for (let i = 0; i < rows.length && issues.length < 5; i++) {
    const r = rows[i] as FeatureRow;
    if (r.view !== view) issues.push({ path: `rows.${i}.view`, reason: `is '${r.view}', appended to view '${view}'` });
    if (typeof r.entity !== 'string') issues.push({ path: `rows.${i}.entity`, reason: 'must be a string' });
    if (!Number.isSafeInteger(r.timestamp)) issues.push({ path: `rows.${i}.timestamp`, reason: `must be integer epoch ms, got ${r.timestamp}` });
    for (const k in r.values) {
      if (RESERVED_COLUMNS.has(k)) issues.push({ path: `rows.${i}.values.${k}`, reason: 'reserved column name' });
      else if (!Number.isFinite(r.values[k])) issues.push({ path: `rows.${i}.values.${k}`, reason: `must be a finite number, got ${r.values[k]}` });
    }
  }
  if (issues.length > 0) throw invalidInput(`invalid offline rows for view '${view}': ${issues.map((x) => `${x.path} ${x.reason}`).join('; ')}`, issues);
}

export function checkProbes(probes: AsOfProbe[], ttlMs: number): void {
  const issues: FieldIssue[] = [];
  if (typeof ttlMs !== 'number' || Number.isNaN(ttlMs) || ttlMs < 0) issues.push({ path: 'ttlMs', reason: `must be ≥ 0 ms (Infinity = no limit), got ${ttlMs}` });
  for (let i = 0; i < probes.length && issues.length < 5; i++) {
    const p = probes[i] as AsOfProbe;
    if (typeof p.entity !== 'string') issues.push({ path: `probes.${i}.entity`, reason: 'must be a string' });
    if (!isTime(p.ts)) issues.push({ path: `probes.${i}.ts`, reason: `must be epoch ms, got ${p.ts}` });
  }
  if (issues.length > 0) throw invalidInput(`invalid point-in-time lookup: ${issues.map((x) => `${x.path} ${x.reason}`).join('; ')}`, issues);
}

/** Latest row per (entity, timestamp) of one batch, the later in the array winning; order kept otherwise. */
export function lastPerKey(rows: FeatureRow[]): FeatureRow[] {
  const seen = new Map<string, number>();
  let dupes = false;
  rows.forEach((r, i) => {
    const key = `${r.timestamp}|${r.entity}`;
    if (seen.has(key)) dupes = true;
    seen.set(key, i);
  });
  return dupes ? rows.filter((r, i) => seen.get(`${r.timestamp}|${r.entity}`) === i) : rows;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= ALL_TIME.to;
}
