/**
 * No overlapping runs of one DAG, across processes (`almanac dag run` beside `almanac scheduler`):
 * an exclusive lock file `<home>/dags/locks/<dag>.lock` holding the owner's pid and run id.
 * A lock whose process is gone (crash, kill -9) is stale and taken over.
 */
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { AlmanacError } from '../core/errors.ts';

export interface DagLock {
  release(): Promise<void>;
}

interface LockBody {
  pid: number;
  runId: string;
  startedAt: string;
}

/**
 * Takes the DAG's lock for `runId`.
 * @throws AlmanacError ALMANAC_ERR_INPUT_CONFLICT when a live process holds it.
 */
export async function acquireDagLock(config: AlmanacConfig, dag: string, runId: string): Promise<DagLock> {
  const dir = homePath(config, 'dags', 'locks');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${dag}.lock`);
  const body: LockBody = { pid: process.pid, runId, startedAt: new Date().toISOString() };
  // The body is written in full first, then hard-linked into place: link() fails atomically with
  // EEXIST, and a reader never sees a half-written lock.
  const tmp = `${file}.${process.pid}.${runId}.tmp`;
  await writeFile(tmp, JSON.stringify(body));
  try {
    return await takeOver(file, tmp, dag, runId);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function takeOver(file: string, tmp: string, dag: string, runId: string): Promise<DagLock> {
  for (let tries = 0; tries < 3; tries++) {
    try {
      await link(tmp, file);
      return { release: () => releaseIfOwned(file, runId) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = await readHolder(file);
      if (holder && isAlive(holder.pid)) {
        throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `DAG '${dag}' is already running (run ${holder.runId}, pid ${holder.pid}, since ${holder.startedAt})`, {
          details: { dag, runId: holder.runId, pid: holder.pid },
        });
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `DAG '${dag}' lock ${file} is contended; retry`, { details: { dag } });
}

async function readHolder(file: string): Promise<LockBody | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockBody;
  } catch {
    return undefined; // half-written or vanished: treat as stale
  }
}

async function releaseIfOwned(file: string, runId: string): Promise<void> {
  const holder = await readHolder(file);
  if (holder?.runId === runId) await unlink(file).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
