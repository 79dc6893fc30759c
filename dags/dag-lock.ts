/**
 * No overlapping runs of one DAG, across processes (`almanac dag run` beside `almanac scheduler`):
 * an exclusive lock file `<home>/dags/locks/<dag>.lock` holding the owner's pid and run id.
 * A lock whose process is gone (crash, kill -9) is stale and taken over (core/lock-file).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { AlmanacError } from '../core/errors.ts';
import { tryLockFile, unlockFile } from '../core/lock-file.ts';

export interface DagLock {
  release(): Promise<void>;
}

/**
 * Takes the DAG's lock for `runId` (core/lock-file: a dead owner's lock is taken over).
 * @throws AlmanacError ALMANAC_ERR_INPUT_CONFLICT when a live process holds it.
 */
export async function acquireDagLock(config: AlmanacConfig, dag: string, runId: string): Promise<DagLock> {
  const dir = homePath(config, 'dags', 'locks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${dag}.lock`);
  const attempt = tryLockFile(file, { pid: process.pid, runId, startedAt: new Date().toISOString() });
  if (attempt.acquired) return { release: async () => unlockFile(file, (o) => o.runId === runId) };
  const holder = attempt.owner;
  if (holder === undefined) throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `DAG '${dag}' lock ${file} is contended; retry`, { details: { dag } });
  throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `DAG '${dag}' is already running (run ${String(holder.runId)}, pid ${holder.pid}, since ${String(holder.startedAt)})`, {
    details: { dag, runId: holder.runId, pid: holder.pid },
  });
}
