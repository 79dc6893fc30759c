/**
 * Peak RSS of each step of the demo (`almanac demo --no-serve`'s pipeline: buildDemo, default
 * seed and world, in a new temp home), beside the same run's baseline (the process before the
 * first step: Node, the TypeScript loader and the modules loaded) and the target (≤ 800 MB).
 *   npm run bench:demo-memory
 * A step's peak is the kernel's high-water mark of this process's RSS (VmHWM), reset as the step
 * starts (`5` written to /proc/self/clear_refs, Linux); where that cannot be reset only the
 * overall peak is printed. Figures vary by ±50 MB from run to run: compare runs of one session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemo } from '../app/demo.ts';
import { loadConfig } from '../core/config.ts';
import { resetRssPeak, rssKb } from './process-rss.ts';

const TARGET_MB = 800;
const mb = (kb: number): string => `${Math.round(kb / 1024)} MB`.padStart(7);

const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-bench-demo-memory-'));
const config = loadConfig({ env: {}, overrides: { home } });
const baseline = rssKb('VmRSS');
const peaks: { step: string; kb: number; seconds: number }[] = [];
let perStep = true;
let started = 0;
const t0 = performance.now();
try {
  await buildDemo(config, {
    quiet: true,
    onStep: (step, phase) => {
      if (phase === 'start') {
        perStep = resetRssPeak() && perStep;
        started = performance.now();
      } else peaks.push({ step, kb: rssKb('VmHWM'), seconds: (performance.now() - started) / 1000 });
    },
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
const overall = process.resourceUsage().maxRSS;
console.log(`demo memory (${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`baseline (the process before the first step)  ${mb(baseline)}`);
if (perStep) for (const p of peaks) console.log(`${p.step.padEnd(45)} ${mb(p.kb)} peak RSS  (${p.seconds.toFixed(1)} s)`);
else console.log('per-step peaks: n/a (/proc/self/clear_refs cannot be written here)');
const worst = perStep ? Math.max(...peaks.map((p) => p.kb)) : overall;
console.log(`peak RSS of the demo ${mb(worst)} (target ≤ ${TARGET_MB} MB: ${worst / 1024 <= TARGET_MB ? 'met' : 'not met'})`);
