/**
 * `almanac serve`'s shutdown is bounded (serving/shutdown.ts): each case runs shutDown in a child
 * process with a stand-in server and checks how and when that process ends.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const shutdownModule = resolve(import.meta.dirname, '../../serving/shutdown.ts');

/** Runs `body` (JavaScript, after `shutDown` is imported and a stand-in `app` made from `close`) and sends it `signals` SIGTERMs after it prints 'ready'. */
async function run(close: string, body: string, signals = 0): Promise<{ code: number | null; ms: number; stdout: string; stderr: string }> {
  const script = `import { shutDown } from ${JSON.stringify(shutdownModule)};
const app = { close: ${close}, log: { info: () => {}, warn: (o, m) => console.log(m, JSON.stringify(o)) } };
${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  const started = Date.now();
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (signals > 0 && stdout.includes('ready')) for (; signals > 0; signals--) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, ms: Date.now() - started, stdout, stderr };
}

describe('serve shutdown', () => {
  it('a close that never ends: exits 1 at the deadline with one line naming it', async () => {
    const r = await run('() => new Promise(() => {})', `setInterval(() => {}, 1000);\nawait shutDown(app, undefined, { deadlineMs: 300 });`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^almanac: shutdown did not finish within 300 ms; exiting without waiting \(still open: .*Timeout.*\)\n$/);
  }, 30_000);

  it('a handle left open after everything closed: exits 0 after the linger, logging what was open', async () => {
    const r = await run('async () => {}', `setInterval(() => {}, 1000);\nawait shutDown(app, undefined, { lingerMs: 200 });`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/still open after the server and its stores closed; exiting .*Timeout/);
    expect(r.stderr).toBe('');
  }, 30_000);

  it('a clean close: exits 0 at once (the linger timer does not hold the process)', async () => {
    const r = await run('async () => {}', `const t0 = Date.now();\nawait shutDown(app, undefined, { lingerMs: 20_000 });\nprocess.on('exit', () => console.log('after', Date.now() - t0));`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/still open/);
    expect(Number(/after (\d+)/.exec(r.stdout)?.[1])).toBeLessThan(5_000);
  }, 30_000);

  it('a second signal during a slow shutdown exits 1 at once', async () => {
    const r = await run('() => new Promise(() => {})', `process.on('SIGTERM', () => {});\nconst done = shutDown(app, undefined, { deadlineMs: 20_000 });\nconsole.log('ready');\nawait done;`, 1);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^almanac: a second signal during shutdown; exiting without waiting/);
  }, 30_000);
});

describe('closeAll (the stores at shutdown)', () => {
  it('closes every store at once; one that hangs or fails is logged by name and left after its budget', async () => {
    const { closeAll } = await import('../../serving/create-serving-deps.ts');
    const closed: string[] = [];
    const warned: { store?: string; err?: string }[] = [];
    const t0 = Date.now();
    await closeAll([
      ['online store', async () => { closed.push('online store'); }],
      ['vector index', () => new Promise(() => {})],
      ['graph store', async () => { throw new Error('socket gone'); }],
      ['offline store', undefined],
      ['event log', async () => { await new Promise((r) => setTimeout(r, 50)); closed.push('event log'); }],
    ], 200, { warn: (o: object) => warned.push(o) } as never);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(closed.sort()).toEqual(['event log', 'online store']);
    expect(warned.map((w) => w.store).sort()).toEqual(['graph store', 'vector index']);
    expect(warned.find((w) => w.store === 'vector index')?.err).toMatch(/vector index did not answer within 200 ms/);
    expect(warned.find((w) => w.store === 'graph store')?.err).toBe('socket gone');
  });
});
