/** File layout of the offline store: `<root>/<view>/date=YYYY-MM-DD/part-<seq>.parquet`. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TimeRange } from '../offline-store.ts';

const DAY_MS = 86_400_000;
const DATE_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;
const PART_FILE = /^part-[\w-]+\.parquet$/;

/** UTC date (YYYY-MM-DD) of an epoch-ms timestamp. */
export function dateOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** [start, end) epoch ms of a UTC date. */
export function dayRange(date: string): TimeRange {
  const from = Date.parse(`${date}T00:00:00Z`);
  return { from, to: from + DAY_MS };
}

export function overlaps(a: TimeRange, b: TimeRange): boolean {
  return a.from < b.to && b.from < a.to;
}

/** Committed date partitions of a view folder (temp and old folders are ignored). */
export async function datePartitions(viewDir: string): Promise<string[]> {
  if (!existsSync(viewDir)) return [];
  const names = await readdir(viewDir);
  return names.flatMap((n) => DATE_DIR.exec(n)?.[1] ?? []).sort();
}

/** Part files of one date partition, as absolute paths. */
export async function partFiles(dateDir: string): Promise<string[]> {
  if (!existsSync(dateDir)) return [];
  return (await readdir(dateDir)).filter((n) => PART_FILE.test(n)).sort().map((n) => path.join(dateDir, n));
}
