/**
 * Cross-process exclusive lock files: a file created with O_EXCL holding its owner as JSON (at
 * least the pid). A lock whose process is gone (crash, kill -9) is stale and taken over; one whose
 * body is not readable yet counts as live until it is 5 s old (an owner killed between create and
 * write).
 *
 * A pid alone does not name a process: in a container node runs as PID 1, so the next container's
 * PID 1 would see a killed one's lock `{"pid":1}` as its own, live, forever. So the owner also
 * records the boot id (`/proc/sys/kernel/random/boot_id`) and the process start time (field 22 of
 * `/proc/<pid>/stat`, clock ticks since boot): a lock of another boot, or whose pid is alive with
 * another start time, is stale. Bodies without those fields (older files, systems without /proc)
 * are judged by the pid alone, as before.
 *
 * Taking over is the racy part: two processes that both saw the same dead owner must not end
 * with one deleting the lock the other has just created. So a stale lock is removed only under a
 * short-lived guard file (`<file>.takeover`, O_EXCL too), after re-reading that the lock still
 * holds the very owner seen dead. Nobody can replace a lock file without removing it first, and
 * removal happens only under the guard, so the re-read cannot go out of date before the unlink.
 *
 * Used by the embedded event log's append lock (held for one append) and the DAG run lock.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';

/** The body of a lock file: its owner's pid plus whatever the caller wants to report. */
export interface LockFileOwner {
  pid: number;
  /** Boot id of the machine the owner ran on (added by tryLockFile where /proc has it). */
  bootId?: string;
  /** The owner's start time, clock ticks since boot (added by tryLockFile where /proc has it). */
  startTime?: number;
  [key: string]: unknown;
}

/** What, besides the pid, tells one process from a later one with the same pid. */
export interface ProcessIdentity {
  bootId?: string;
  startTime?: number;
}

export type LockAttempt = { acquired: true } | { acquired: false; owner: LockFileOwner | undefined };

/** A body not readable after this long belongs to an owner that died while writing it. */
const UNREADABLE_STALE_MS = 5_000;

/** Tries once (taking over a stale lock on the way); never waits for a live owner. */
export function tryLockFile(file: string, owner: LockFileOwner): LockAttempt {
  const { pid, ...rest } = owner;
  const body = JSON.stringify({ pid, ...(pid === process.pid ? ownIdentity() : processIdentity(pid)), ...rest });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(file, body)) return { acquired: true };
    const seen = readRaw(file);
    if (seen === undefined && !exists(file)) continue; // released meanwhile
    if (!isStale(file, seen)) return { acquired: false, owner: parseOwner(seen) };
    removeStale(file, seen);
  }
  return { acquired: false, owner: parseOwner(readRaw(file)) };
}

/**
 * Removes the lock if `isMine` says its current owner is the caller (a lock taken over from us
 * stays, and so does one of an earlier process that had our pid).
 */
export function unlockFile(file: string, isMine: (owner: LockFileOwner) => boolean): void {
  const owner = parseOwner(readRaw(file));
  if (owner && !(owner.pid === process.pid && !isOwnProcess(owner)) && isMine(owner)) rmSync(file, { force: true });
}

/** Boot id and start time of `pid` where /proc has them (Linux); empty elsewhere. */
export function processIdentity(pid: number): ProcessIdentity {
  const bootId = currentBootId();
  const startTime = startTimeOf(pid);
  return { ...(bootId === undefined ? {} : { bootId }), ...(startTime === undefined ? {} : { startTime }) };
}

let bootIdCache: string | null | undefined;
function currentBootId(): string | undefined {
  if (bootIdCache === undefined) bootIdCache = readRaw('/proc/sys/kernel/random/boot_id')?.trim() || null;
  return bootIdCache ?? undefined;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised name, which may hold spaces). */
function startTimeOf(pid: number): number | undefined {
  const stat = readRaw(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]); // fields[0] is field 3 (state)
  return Number.isInteger(ticks) ? ticks : undefined;
}

/** Whether a lock's recorded identity fits the process now running under its pid (absent fields fit). */
function sameIdentity(owner: LockFileOwner, now: ProcessIdentity): boolean {
  if (typeof owner.bootId === 'string' && now.bootId !== undefined && owner.bootId !== now.bootId) return false;
  if (typeof owner.startTime === 'number' && now.startTime !== undefined && owner.startTime !== now.startTime) return false;
  return true;
}

let ownIdentityCache: ProcessIdentity | undefined;
/** This process's identity (read once: neither changes while it runs). */
function ownIdentity(): ProcessIdentity {
  ownIdentityCache ??= processIdentity(process.pid);
  return ownIdentityCache;
}

function isOwnProcess(owner: LockFileOwner): boolean {
  return sameIdentity(owner, ownIdentity());
}

/** True while `pid` names a live process (EPERM: alive, owned by another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(file: string, raw: string | undefined): boolean {
  const owner = parseOwner(raw);
  if (owner === undefined) return ageMs(file) > UNREADABLE_STALE_MS;
  if (owner.pid === process.pid) return !isOwnProcess(owner); // our pid: ours unless another boot or start time says otherwise
  if (!isProcessAlive(owner.pid)) return true;
  return !sameIdentity(owner, processIdentity(owner.pid)); // alive, but perhaps a later process with that pid
}

function removeStale(file: string, seen: string | undefined): void {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, String(process.pid))) {
    if (ageMs(guard) > UNREADABLE_STALE_MS) rmSync(guard, { force: true }); // its holder died mid-takeover
    return;
  }
  try {
    const now = readRaw(file);
    if (now === seen && isStale(file, now)) rmSync(file, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

function createExclusive(file: string, body: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** JSON owner; a bare pid (the append lock's earlier format) is read too. */
function parseOwner(raw: string | undefined): LockFileOwner | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? { pid: v } : undefined;
    if (typeof v === 'object' && v !== null && Number.isInteger((v as LockFileOwner).pid)) return v as LockFileOwner;
  } catch {
    // half-written
  }
  return undefined;
}

function exists(file: string): boolean {
  return ageMs(file) >= 0;
}

/** Age from mtime; -1 when the file is gone. */
function ageMs(file: string): number {
  try {
    return Math.max(0, Date.now() - statSync(file).mtimeMs);
  } catch {
    return -1;
  }
}
