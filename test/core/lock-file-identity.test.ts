import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIdentity, tryLockFile, unlockFile } from '../../core/lock-file.ts';

const LINUX_PROC = existsSync('/proc/sys/kernel/random/boot_id') && existsSync('/proc/1/stat');
const pid1 = LINUX_PROC ? processIdentity(1) : {};

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-lock-id-'));
  file = path.join(dir, 'x.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!LINUX_PROC)('lock owner identity: boot id and process start time (issue 12)', () => {
  it('records the boot id and the start time (field 22 of /proc/<pid>/stat) of its owner', () => {
    expect(tryLockFile(file, { pid: process.pid, runId: 'a' }).acquired).toBe(true);
    const body = JSON.parse(readFileSync(file, 'utf8'));
    expect(body.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    expect(body.startTime).toBe(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]));
    expect(body).toMatchObject({ pid: process.pid, runId: 'a' });
  });

  it('takes over at once a {pid: 1} lock whose start time is not PID 1’s, or whose boot is another; keeps PID 1’s real one and the old pid-only body', () => {
    expect(pid1.startTime).toEqual(expect.any(Number));
    writeFileSync(file, JSON.stringify({ pid: 1, bootId: pid1.bootId, startTime: (pid1.startTime as number) + 12_345 }));
    expect(tryLockFile(file, { pid: process.pid, runId: 'next' }).acquired).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, runId: 'next' });
    expect(existsSync(`${file}.takeover`)).toBe(false);

    writeFileSync(file, JSON.stringify({ pid: 1, bootId: 'another-boot', startTime: pid1.startTime }));
    expect(tryLockFile(file, { pid: process.pid }).acquired).toBe(true);

    writeFileSync(file, JSON.stringify({ pid: 1, ...pid1 })); // PID 1 itself, alive: live
    expect(tryLockFile(file, { pid: process.pid })).toEqual({ acquired: false, owner: { pid: 1, ...pid1 } });
    writeFileSync(file, JSON.stringify({ pid: 1 })); // an old body: judged by the pid alone, as before
    expect(tryLockFile(file, { pid: process.pid })).toEqual({ acquired: false, owner: { pid: 1 } });
  });

  it('a lock of an earlier process with our pid is stale for us, and unlock leaves it to the takeover (not "ours")', () => {
    const me = processIdentity(process.pid);
    const earlier = { pid: process.pid, bootId: me.bootId, startTime: (me.startTime as number) - 1, runId: 'earlier' };
    writeFileSync(file, JSON.stringify(earlier));
    unlockFile(file, (o) => o.pid === process.pid);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(earlier);
    expect(tryLockFile(file, { pid: process.pid, runId: 'now' }).acquired).toBe(true);
    expect(tryLockFile(file, { pid: process.pid, runId: 'again' })).toMatchObject({ acquired: false, owner: { runId: 'now' } }); // our own lock stays live for us
    unlockFile(file, (o) => o.pid === process.pid);
    expect(existsSync(file)).toBe(false);
  });
});

/** Whether `unshare -pf --mount-proc` can give a child its own PID namespace here (root or user namespaces). */
function unshareWorks(): boolean {
  const r = spawnSync('unshare', ['-pf', '--mount-proc', process.execPath, '-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && r.stdout === '1';
}
const UNSHARE = LINUX_PROC && unshareWorks();

/** Runs `code` (ESM, with tsx) as PID 1 of a new PID namespace; `$LOCK` and `$MODULE` are filled in. */
function asPid1(code: string) {
  const script = code.replaceAll('$MODULE', JSON.stringify(path.resolve('core/lock-file.ts'))).replaceAll('$LOCK', JSON.stringify(file));
  return spawn('unshare', ['-pf', '--mount-proc', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function output(child: ReturnType<typeof spawn>, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); if (until.test(out)) resolve(out); });
    child.on('close', (code) => (until.test(out) ? resolve(out) : reject(new Error(`exited ${code} with '${out}'`))));
  });
}

describe.skipIf(!UNSHARE)('a lock held by PID 1 of a killed PID namespace (unshare -pf --mount-proc; skipped: unshare not permitted here)', () => {
  it('is taken over at once by the next PID 1 of a fresh namespace', async () => {
    const holder = asPid1(`
      const { tryLockFile } = await import($MODULE);
      const r = tryLockFile($LOCK, { pid: process.pid, role: 'holder' });
      process.stdout.write(r.acquired ? 'held as ' + process.pid + ';' : 'not held;');
      setInterval(() => {}, 1000);
    `);
    expect(await output(holder, /;/)).toBe('held as 1;');
    const held = JSON.parse(readFileSync(file, 'utf8'));
    expect(held).toMatchObject({ pid: 1, role: 'holder', startTime: expect.any(Number) });
    // kill -9 the holder (the namespace's PID 1, a child of unshare) from outside, as the OOM killer would
    const nsInit = Number(readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim().split(' ')[0]);
    expect(nsInit).toBeGreaterThan(1);
    process.kill(nsInit, 'SIGKILL');
    await new Promise((r) => holder.on('close', r));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(held); // left behind: {"pid":1,…}

    const started = Date.now();
    const next = asPid1(`
      const { tryLockFile } = await import($MODULE);
      const r = tryLockFile($LOCK, { pid: process.pid, role: 'next' });
      process.stdout.write((r.acquired ? 'acquired as ' : 'refused as ') + process.pid + ';');
    `);
    expect(await output(next, /;/)).toBe('acquired as 1;');
    expect(Date.now() - started).toBeLessThan(10_000); // one attempt, no waiting for the dead owner (node + tsx start-up included)
    const taken = JSON.parse(readFileSync(file, 'utf8'));
    expect(taken).toMatchObject({ pid: 1, role: 'next', bootId: held.bootId });
    expect(taken.startTime).not.toBe(held.startTime);
  }, 60_000);
});
