import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import { defineDag, type DagTask } from '../../dags/dag.ts';
import { runDag } from '../../dags/dag-runner.ts';
import { getRun, listRuns } from '../../dags/run-history.ts';

let home: string;
let config: AlmanacConfig;

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'almanac-dag-'));
  config = loadConfig({ env: {}, overrides: { home } });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const ok = (id: string, dependsOn: string[] = [], log?: string[]): DagTask => ({
  id, dependsOn, run: async () => { log?.push(id); await new Promise((r) => setTimeout(r, 5)); return `${id}-out`; },
});

describe('defineDag', () => {
  it('orders tasks topologically whatever the declaration order', () => {
    const dag = defineDag({ name: 'd', description: '', tasks: [ok('c', ['b']), ok('b', ['a']), ok('a')] });
    expect(dag.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('rejects cycles, unknown dependencies and duplicate ids with the task named', () => {
    const cycle = () => defineDag({ name: 'd', description: '', tasks: [ok('a', ['b']), ok('b', ['a'])] });
    expect(cycle).toThrow(/cycle: a → b → a/);
    expect(() => defineDag({ name: 'd', description: '', tasks: [ok('a', ['zzz'])] })).toThrow(/'a' depends on unknown task 'zzz'/);
    expect(() => defineDag({ name: 'd', description: '', tasks: [ok('a'), ok('a')] })).toThrow(/duplicate task id 'a'/);
    try { cycle(); } catch (e) { expect((e as AlmanacError).code).toBe('ALMANAC_ERR_INPUT_INVALID'); }
  });
});

describe('runDag', () => {
  it('runs tasks in dependency order, passes outputs downstream and persists a success record', async () => {
    const order: string[] = [];
    const dag = defineDag({
      name: 'pipeline', description: '', tasks: [
        ok('a', [], order), ok('b', ['a'], order), ok('c', ['a'], order),
        { id: 'd', dependsOn: ['b', 'c'], run: async (ctx) => { order.push('d'); return `${ctx.output<string>('a')}+${ctx.output<string>('b')}`; }, summarize: (o) => ({ o }) },
      ],
    });
    const run = await runDag(config, dag);
    expect(run.state).toBe('success');
    expect(order[0]).toBe('a');
    expect(order.slice(1, 3).sort()).toEqual(['b', 'c']);
    expect(order[3]).toBe('d');
    const stored = await getRun(config, 'pipeline', run.runId);
    expect(stored.state).toBe('success');
    expect(stored.tasks.map((t) => [t.id, t.state, t.attempts])).toEqual([['a', 'success', 1], ['b', 'success', 1], ['c', 'success', 1], ['d', 'success', 1]]);
    expect(stored.tasks[3]?.summary).toEqual({ o: 'a-out+b-out' });
    for (const t of stored.tasks) {
      expect(typeof t.startedAt).toBe('string');
      expect(t.durationMs).toBeGreaterThanOrEqual(0);
    }
    // atomic writes leave no temp files behind; the lock is released
    expect(readdirSync(path.join(home, 'dags', 'runs', 'pipeline'))).toEqual([`${run.runId}.json`]);
    expect(existsSync(path.join(home, 'dags', 'locks', 'pipeline.lock'))).toBe(false);
  });

  it('retries a flaky task with backoff and records the attempts', async () => {
    let calls = 0;
    const dag = defineDag({ name: 'flaky', description: '', tasks: [{
      id: 'x', retries: 3, backoff: { baseMs: 1, maxMs: 5 },
      run: async (ctx) => { calls++; if (ctx.attempt < 3) throw new Error(`transient ${ctx.attempt}`); return ctx.attempt; },
    }] });
    const run = await runDag(config, dag);
    expect(run.state).toBe('success');
    expect(calls).toBe(3);
    expect(run.tasks[0]?.attempts).toBe(3);
    // every attempt with its times and outcome (the console's timeline)
    const [stored] = await listRuns(config, 'flaky');
    const log = stored?.tasks[0]?.attemptLog ?? [];
    expect(log.map((a) => [a.attempt, a.state, a.error?.message])).toEqual([[1, 'failed', 'transient 1'], [2, 'failed', 'transient 2'], [3, 'success', undefined]]);
    for (const a of log) expect(Date.parse(a.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(a.startedAt));
  });

  it('does not retry a non-retriable AlmanacError', async () => {
    let calls = 0;
    const dag = defineDag({ name: 'gate', description: '', tasks: [{
      id: 'x', retries: 5, run: async () => { calls++; throw new AlmanacError('ALMANAC_ERR_MODEL_GATE_FAILED', 'worse than champion'); },
    }] });
    const run = await runDag(config, dag);
    expect(calls).toBe(1);
    expect(run.tasks[0]?.error).toEqual({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED', message: 'worse than champion' });
  });

  it('a failed task skips its dependents, lets independent branches finish and fails the run', async () => {
    const ran: string[] = [];
    const dag = defineDag({ name: 'fail', description: '', tasks: [
      ok('a', [], ran),
      { id: 'b', dependsOn: ['a'], retries: 1, run: async () => { throw new Error('disk full'); } },
      ok('c', ['b'], ran), ok('d', ['c'], ran), ok('e', ['a'], ran),
    ] });
    const run = await runDag(config, dag);
    expect(run.state).toBe('failed');
    expect(run.error).toBe("task 'b' failed: disk full");
    const states = Object.fromEntries(run.tasks.map((t) => [t.id, t.state]));
    expect(states).toEqual({ a: 'success', b: 'failed', c: 'skipped', d: 'skipped', e: 'success' });
    expect(run.tasks.find((t) => t.id === 'b')?.attempts).toBe(2);
    expect(run.tasks.find((t) => t.id === 'd')?.skippedBecause).toBe('c');
    expect(ran.sort()).toEqual(['a', 'e']);
    const [stored] = await listRuns(config, 'fail');
    expect(stored?.tasks.find((t) => t.id === 'b')?.error).toEqual({ code: 'ALMANAC_ERR_INTERNAL', message: 'disk full' });
  });

  it('times out a task that runs too long and aborts its signal', async () => {
    let aborted = false;
    const dag = defineDag({ name: 'slow', description: '', tasks: [{
      id: 'slow', timeoutMs: 30,
      run: (ctx) => new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => { aborted = true; resolve('late'); });
      }),
    }] });
    const run = await runDag(config, dag);
    expect(run.state).toBe('failed');
    expect(run.tasks[0]?.error?.code).toBe('ALMANAC_ERR_DEPENDENCY_TIMEOUT');
    expect(run.tasks[0]?.error?.message).toMatch(/task 'slow' did not answer within 30 ms/);
    expect(aborted).toBe(true);
  });

  it('refuses a second concurrent run of the same DAG (no overlap) and allows it afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const dag = defineDag({ name: 'once', description: '', tasks: [{ id: 'wait', run: () => gate }] });
    let holding!: () => void;
    const locked = new Promise<void>((r) => { holding = r; });
    const first = runDag(config, dag, { onStart: () => holding() });
    await locked; // the first run holds the lock (a fixed sleep would race it on a slow machine)
    await expect(runDag(config, dag)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
    release();
    expect((await first).state).toBe('success');
    expect((await runDag(config, dag)).state).toBe('success');
    expect((await listRuns(config, 'once')).length).toBe(2);
  });

  it('takes over a stale lock left by a dead process', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(home, 'dags', 'locks'), { recursive: true });
    writeFileSync(path.join(home, 'dags', 'locks', 'stale.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, runId: 'old', startedAt: 'then' }));
    const dag = defineDag({ name: 'stale', description: '', tasks: [ok('a')] });
    expect((await runDag(config, dag)).state).toBe('success');
  });

  it('cancels on abort: the running task sees the signal, pending tasks are skipped', async () => {
    const controller = new AbortController();
    const dag = defineDag({ name: 'cancel', description: '', tasks: [
      { id: 'long', run: (ctx) => new Promise((_, reject) => { ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))); setTimeout(() => controller.abort(), 20); }) },
      ok('after', ['long']),
    ] });
    const run = await runDag(config, dag, { signal: controller.signal });
    expect(run.state).toBe('failed');
    expect(run.tasks.map((t) => t.state)).toEqual(['failed', 'skipped']);
    const history = JSON.parse(readFileSync(path.join(home, 'dags', 'runs', 'cancel', `${run.runId}.json`), 'utf8'));
    expect(history.state).toBe('failed');
  });

  it('history lists runs newest first and honours the limit', async () => {
    const dag = defineDag({ name: 'hist', description: '', tasks: [ok('a')] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await runDag(config, dag)).runId);
    const runs = await listRuns(config, 'hist', 2);
    expect(runs.map((r) => r.runId)).toEqual([ids[2], ids[1]]);
    await expect(getRun(config, 'hist', 'nope')).rejects.toMatchObject({ code: 'ALMANAC_ERR_DAG_UNKNOWN' });
  });
});
