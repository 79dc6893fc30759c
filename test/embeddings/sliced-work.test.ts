import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBetweenTurns, type SlicedWork } from '../../embeddings/vector-index/embedded/sliced-work.ts';

function* counting(slices: number, seen: { slices: number }): SlicedWork<string> {
  for (let i = 0; i < slices; i++) {
    seen.slices++;
    if (i < slices - 1) yield;
  }
  return 'done';
}

describe('runBetweenTurns (work sliced between turns of the event loop)', () => {
  it('runs to its end while the process has nothing else to do (an idle server finishes its copies)', async () => {
    const seen = { slices: 0 };
    let result: string | undefined;
    runBetweenTurns(counting(100, seen), () => true, (v) => (result = v));
    expect(seen.slices).toBe(0); // the first slice runs on a later turn, never inside the caller's
    // the only thing the loop waits on is this timer: no I/O, no immediates
    for (let waited = 0; result === undefined && waited < 2_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    // with unref'd setImmediate slices, one ran per wake-up of the loop: ~1 per 50 ms here
    expect(result).toBe('done');
    expect(seen.slices).toBe(100);
  });

  it('stops, without calling done, once what the work was for has changed', async () => {
    const seen = { slices: 0 };
    let current = true;
    let result: string | undefined;
    runBetweenTurns(counting(1_000_000, seen), () => current, (v) => (result = v));
    while (seen.slices < 5) await new Promise((r) => setTimeout(r, 5));
    current = false;
    const at = seen.slices;
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.slices).toBe(at);
    expect(result).toBeUndefined();
  });

  it('never keeps the process alive: a process with unfinished sliced work exits', () => {
    const script = `import { runBetweenTurns } from ${JSON.stringify(resolve(import.meta.dirname, '../../embeddings/vector-index/embedded/sliced-work.ts'))};
function* endless() { for (;;) yield; }
runBetweenTurns(endless(), () => true, () => {});
console.log('started');`;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout.trim()).toBe('started');
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 40_000);
});
