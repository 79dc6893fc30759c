/**
 * Persisted run history: one JSON file per run at `<home>/dags/runs/<dag>/<run-id>.json`,
 * rewritten atomically (temp file + rename) at every state change, so a reader sees a whole
 * record, never a torn one. Run ids sort by start time. The record and its reader live in
 * core/dag-runs/dag-run-record.ts (serving reads it too); the writer is here.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.ts';
import type { AlmanacConfig } from '../core/config.ts';
import { runsDir, type DagRun } from '../core/dag-runs/dag-run-record.ts';

export { getRun, listRuns, runsDir, type DagRun, type TaskAttempt, type TaskRun } from '../core/dag-runs/dag-run-record.ts';

/** A sortable, unique run id: `20240501T030000123Z-1a2b3c`. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** Writes the whole run record atomically. */
export async function saveRun(config: AlmanacConfig, run: DagRun): Promise<void> {
  const dir = runsDir(config, run.dag);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${run.runId}.json`);
  await writeFileAtomic(file, `${JSON.stringify(run, null, 2)}\n`);
}
