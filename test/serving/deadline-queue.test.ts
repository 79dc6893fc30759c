import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { isAlmanacError } from '../../core/errors.ts';
import { DeadlineQueue } from '../../serving/deadline-queue.ts';

const never = () => new Promise<never>(() => undefined);
const later = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));

describe('DeadlineQueue', () => {
  it('passes values and errors of calls that settle in time', async () => {
    const q = new DeadlineQueue(200, 'dep');
    await expect(q.run(async () => 7)).resolves.toBe(7);
    await expect(q.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(q.run(() => { throw new Error('sync boom'); })).rejects.toThrow('sync boom');
  });

  it('times out each hanging call with ALMANAC_ERR_DEPENDENCY_TIMEOUT, also behind settled ones', async () => {
    const q = new DeadlineQueue(30, 'graph');
    const fast = q.run(() => later(1, 'fast'));
    const slow = q.run(never);
    const slower = q.run(never);
    await expect(fast).resolves.toBe('fast');
    for (const p of [slow, slower]) {
      const err = await p.catch((e: unknown) => e);
      expect(isAlmanacError(err) && err.code).toBe('ALMANAC_ERR_DEPENDENCY_TIMEOUT');
      expect(isAlmanacError(err) && err.details).toEqual({ dependency: 'graph', timeoutMs: 30 });
    }
  });

  it('ignores a settlement after the deadline and aborts the signal of a call that takes one', async () => {
    const q = new DeadlineQueue(20, 'vector');
    let aborted: unknown;
    const p = q.run((signal) => { signal.addEventListener('abort', () => { aborted = signal.reason; }); return later(60, 'late'); });
    const err = await p.catch((e: unknown) => e);
    expect(isAlmanacError(err) && err.code).toBe('ALMANAC_ERR_DEPENDENCY_TIMEOUT');
    expect(aborted).toBe(err);
    // the queue keeps working after expiries
    await expect(q.run(() => later(1, 'next'))).resolves.toBe('next');
  });

  it('refuses a non-positive budget with ALMANAC_ERR_CONFIG_INVALID', () => {
    expect(() => new DeadlineQueue(0, 'cache')).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_CONFIG_INVALID' }));
  });

  it('does not keep a settled call\'s result alive while the call waits for its deadline in the queue', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const q = new DeadlineQueue(60_000, 'vector'); // the settled calls stay queued for a minute
    const refs: WeakRef<object>[] = [];
    const settle = async (i: number): Promise<void> => {
      const result = await q.run(async () => ({ hits: new Array(1000).fill(i) }));
      refs.push(new WeakRef(result));
      const failure = await q.run(async () => { throw Object.assign(new Error('gone'), { payload: new Array(1000).fill(i) }); }).catch((e: unknown) => e as object);
      refs.push(new WeakRef(failure));
    };
    for (let i = 0; i < 3; i++) await settle(i);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    gc();
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true, true, true, true, true]);
  });

  it('keeps no process alive: a closed server exits at once, not a budget after its last call', () => {
    const script = `import { DeadlineQueue } from ${JSON.stringify(resolve(import.meta.dirname, '../../serving/deadline-queue.ts'))};
const q = new DeadlineQueue(20_000, 'registry');
console.log(await q.run(async () => 'answered'), q.armed);`;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout.trim()).toBe('answered true'); // the settled call still waits in the queue for its deadline
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000); // with a ref'd timer: 20 s
  }, 40_000);
});
