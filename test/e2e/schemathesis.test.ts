/**
 * Fuzzing (issue 12 item 7): schemathesis (PyPI) against the served /openapi.json, every route, on
 * a demo home served in this process with an admin key. Checks: no 5xx (not_a_server_error), every
 * declared response matches its schema (response_schema_conformance) and content type
 * (content_type_conformance); a request that hangs past --request-timeout is an error; the server
 * still answers /health/live afterwards. On a failure the test fails with schemathesis's report.
 *
 * Bounded in CI (ALMANAC_FUZZ_EXAMPLES, default 15 examples per operation and phase, fixed seed 1);
 * longer locally: ALMANAC_FUZZ_EXAMPLES=200 ALMANAC_FUZZ_SECONDS=600 (a time budget that repeats
 * fuzzing until spent), ALMANAC_FUZZ_SEED=<n> to replay a run.
 * schemathesis comes from test/e2e/schemathesis/install.sh (a venv under ~/.cache, run by .ci/run)
 * or SCHEMATHESIS_BIN; without it the suite is skipped with a message, except in CI, where it fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, demoKeys } from '../../app/demo.ts';
import { loadConfig } from '../../core/config.ts';
import { startServer } from '../../serving/cli.ts';

const INSTALL = 'test/e2e/schemathesis/install.sh';

function schemathesisBin(): string | undefined {
  const candidates = [process.env.SCHEMATHESIS_BIN, path.join(process.env.SCHEMATHESIS_HOME ?? path.join(os.homedir(), '.cache', 'almanac-schemathesis'), 'venv', 'bin', 'schemathesis')];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

const bin = schemathesisBin();
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
if (bin === undefined && !inCI) process.stderr.write(`schemathesis is not installed: test/e2e/schemathesis.test.ts is skipped (run ${INSTALL}, or set SCHEMATHESIS_BIN)\n`);

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => { out += `\n(killed after ${timeoutMs} ms)`; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

describe.skipIf(bin === undefined && !inCI)('schemathesis against /openapi.json', () => {
  let home: string;
  let app: FastifyInstance | undefined;
  let url = '';
  let admin = '';

  beforeAll(async () => {
    if (bin === undefined) return; // CI: the test below fails with the reason
    home = mkdtempSync(path.join(os.tmpdir(), 'almanac-fuzz-'));
    const config = loadConfig({ env: { ALMANAC_FSYNC: 'none' }, overrides: { home, logLevel: 'silent', serving: { rateLimit: { max: 1_000_000_000 } } } });
    await buildDemo(config, { quiet: true, epochs: 1, world: { clients: 5, campaigns: 12, days: 14, touchesPerDay: 20 } });
    admin = (await demoKeys(config)).admin;
    ({ app, url } = await startServer(config, { port: 0, host: '127.0.0.1' }));
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('finds no 5xx, no response off its declared schema, no hang, and the server keeps serving', async () => {
    if (bin === undefined) throw new Error(`schemathesis is not installed but CI is set: ${INSTALL} (run by .ci/run) must install it, or set SCHEMATHESIS_BIN`);
    const examples = process.env.ALMANAC_FUZZ_EXAMPLES ?? '15';
    const seconds = process.env.ALMANAC_FUZZ_SECONDS;
    const seed = process.env.ALMANAC_FUZZ_SEED ?? (inCI ? '1' : undefined);
    const args = [
      'run', `${url}/openapi.json`, '-H', `Authorization: Bearer ${admin}`,
      '--checks', 'not_a_server_error,response_schema_conformance,content_type_conformance',
      '--phases', 'examples,coverage,fuzzing', '--max-examples', examples, '--workers', '1',
      '--request-timeout', '10', '--suppress-health-check', 'all', '--no-color',
      ...(seconds ? ['--max-time', seconds] : []), ...(seed ? ['--seed', seed] : []),
    ];
    const budgetMs = (seconds ? Number(seconds) + 120 : 240) * 1000;
    // in the temp home: schemathesis keeps its .schemathesis/ cache in the working directory
    const { code, out } = await run(bin, args, home, budgetMs);
    expect(code, `schemathesis exited ${code}; its report:\n${out}`).toBe(0);
    expect(out).toMatch(/Tested: \d+/);
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
  }, 600_000);
});
