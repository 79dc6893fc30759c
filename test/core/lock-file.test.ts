import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIdentity, tryLockFile, unlockFile } from '../../core/lock-file.ts';

/** A pid that is certainly dead: a child that has already exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-lock-'));
  file = path.join(dir, 'x.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lock files', () => {
  it('is exclusive: a second attempt reports the live owner; unlock by the owner frees it', () => {
    expect(tryLockFile(file, { pid: process.pid, runId: 'a' })).toEqual({ acquired: true });
    expect(tryLockFile(file, { pid: process.pid, runId: 'b' })).toEqual({ acquired: false, owner: { pid: process.pid, ...processIdentity(process.pid), runId: 'a' } });
    unlockFile(file, (o) => o.runId === 'b'); // not b's: stays
    expect(existsSync(file)).toBe(true);
    unlockFile(file, (o) => o.runId === 'a');
    expect(existsSync(file)).toBe(false);
    expect(tryLockFile(file, { pid: process.pid, runId: 'b' }).acquired).toBe(true);
  });

  it("takes over a dead process's lock (JSON body, and the old bare-pid body)", () => {
    const dead = deadPid();
    writeFileSync(file, JSON.stringify({ pid: dead, runId: 'old' }));
    expect(tryLockFile(file, { pid: process.pid, runId: 'new' }).acquired).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: process.pid, ...processIdentity(process.pid), runId: 'new' });
    rmSync(file);
    writeFileSync(file, String(dead));
    expect(tryLockFile(file, { pid: process.pid }).acquired).toBe(true);
    expect(existsSync(`${file}.takeover`)).toBe(false);
  });

  it('treats an unreadable body as live while young and stale after 5 s', () => {
    writeFileSync(file, '');
    expect(tryLockFile(file, { pid: process.pid })).toEqual({ acquired: false, owner: undefined });
    const old = new Date(Date.now() - 10_000);
    utimesSync(file, old, old);
    expect(tryLockFile(file, { pid: process.pid }).acquired).toBe(true);
  });

  it('does not take over while another process holds the takeover guard, and clears a guard left by a dead one', () => {
    writeFileSync(file, JSON.stringify({ pid: deadPid() }));
    writeFileSync(`${file}.takeover`, '1');
    expect(tryLockFile(file, { pid: process.pid }).acquired).toBe(false); // guard is young: someone is taking over
    const old = new Date(Date.now() - 10_000);
    utimesSync(`${file}.takeover`, old, old);
    expect(tryLockFile(file, { pid: process.pid }).acquired).toBe(true);
  });

  it('many processes racing for one stale lock: exactly one wins', async () => {
    writeFileSync(file, JSON.stringify({ pid: deadPid() }));
    const go = path.join(dir, 'go');
    const done = path.join(dir, 'done');
    // Each racer says 'ready', spins until 'go' exists, tries once, reports, and stays alive until
    // 'done' (a winner that exited early would leave a stale lock for a slow racer to take over).
    const racer = `
      const { existsSync } = await import('node:fs');
      const { tryLockFile } = await import(${JSON.stringify(path.resolve('core/lock-file.ts'))});
      process.stdout.write('ready;');
      while (!existsSync(${JSON.stringify(go)})) {}
      const r = tryLockFile(${JSON.stringify(file)}, { pid: process.pid });
      process.stdout.write(r.acquired ? 'won;' : 'lost;');
      const wait = () => existsSync(${JSON.stringify(done)}) ? undefined : setTimeout(wait, 10);
      wait();
    `;
    const { spawn } = await import('node:child_process');
    const outputs: string[] = [];
    const ready = new Set<number>();
    const reported = new Set<number>();
    let allReady!: () => void;
    let allReported!: () => void;
    const readyP = new Promise<void>((r) => { allReady = r; });
    const reportedP = new Promise<void>((r) => { allReported = r; });
    const exits = Array.from({ length: 4 }, (_, i) => new Promise<void>((resolve) => {
      outputs[i] = '';
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', racer], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.on('data', (d: Buffer) => {
        outputs[i] += d.toString();
        if (outputs[i]?.includes('ready;')) { ready.add(i); if (ready.size === 4) allReady(); }
        if (/won;|lost;/.test(outputs[i] ?? '')) { reported.add(i); if (reported.size === 4) allReported(); }
      });
      c.on('close', () => resolve());
    }));
    await readyP;
    writeFileSync(go, '');
    await reportedP;
    writeFileSync(done, '');
    await Promise.all(exits);
    const results = outputs.map((o) => o.replace('ready;', ''));
    expect(results.filter((r) => r === 'won;')).toHaveLength(1);
    expect(results.filter((r) => r === 'lost;')).toHaveLength(3);
  }, 60_000);
});
