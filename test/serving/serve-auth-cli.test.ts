/** `almanac serve --insecure-no-auth` (loopback only, warns) and the separate metrics listener, through the real CLI. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'almanac-serve-auth-'));
const env = (extra: Record<string, string> = {}) => ({ ...process.env, ALMANAC_HOME: home, ALMANAC_FSYNC: 'none', ALMANAC_LOG_LEVEL: 'warn', ...extra });
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => ok(port));
    });
  });
}

/** Starts serve; resolves with its URL and everything it printed on stderr so far. */
function serve(args: string[], extra: Record<string, string> = {}): Promise<{ url: string; stderr: () => string }> {
  child = spawn(process.execPath, [join(repo, 'app/bin.js'), 'serve', '--port', '0', ...args], { cwd: home, env: env(extra), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((ok, fail) => {
    child?.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m) ok({ url: m[1] as string, stderr: () => err });
    });
    child?.on('exit', (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
}

describe('almanac serve --insecure-no-auth', () => {
  it('is refused on a non-loopback address: exit 2, one line', () => {
    const r = spawnSync(process.execPath, [join(repo, 'app/bin.js'), 'serve', '--insecure-no-auth', '--host', '0.0.0.0', '--port', '0'], { cwd: home, env: env(), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^almanac: ALMANAC_ERR_INPUT_INVALID: --insecure-no-auth is refused on '0\.0\.0\.0': bind a loopback address/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('on loopback: warns at start, and takes requests without a key (as admin)', async () => {
    const { url, stderr } = await serve(['--insecure-no-auth', '--host', '127.0.0.1']);
    expect(stderr()).toContain('WARNING: --insecure-no-auth');
    expect((await fetch(`${url}/v1/models`)).status).toBe(200);
  });

  it('without it, no key is 401', async () => {
    const { url, stderr } = await serve([]);
    expect(stderr()).not.toContain('insecure');
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
  });
});

describe('metrics on a separate listener (ALMANAC_METRICS_ADDRESS)', () => {
  it('serves GET /metrics there without a key, and not on the API port', async () => {
    const port = await freePort();
    const { url } = await serve([], { ALMANAC_METRICS_ADDRESS: `127.0.0.1:${port}` });
    await new Promise((r) => setTimeout(r, 300));
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('almanac_');
    expect((await fetch(`${url}/metrics`)).status).toBe(404); // not on the API listener at all
  });
});
