import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'almanac-sim-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs `almanac simulate …` in the temp folder (async, so that the cases can run concurrently). */
function almanac(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(repo, 'app/bin.js'), 'simulate', ...args], { cwd: home, env: { ...process.env, ALMANAC_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe.concurrent('almanac simulate', () => {
  it('writes events.jsonl and ground-truth.json and prints a JSON summary with --json', async () => {
    const r = await almanac('--seed', '3', '--clients', '4', '--campaigns', '6', '--days', '4', '--touches-per-day', '30', '--out', 'world', '--json');
    expect(r.stderr).toMatch(/\[simulate\] .* done/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { events: number; byType: Record<string, number>; files: string[]; duplicates: number };
    const lines = readFileSync(join(home, 'world', 'events.jsonl'), 'utf8').trimEnd().split('\n');
    expect(summary.events).toBe(lines.length);
    expect(summary.byType.client).toBe(4 + lines.slice(4).filter((l) => l.startsWith('{"type":"client"')).length);
    expect(summary.files).toEqual([join(home, 'world', 'events.jsonl'), join(home, 'world', 'ground-truth.json')]);
    const truth = JSON.parse(readFileSync(join(home, 'world', 'ground-truth.json'), 'utf8')) as { options: { seed: number; start: string } };
    expect(truth.options).toMatchObject({ seed: 3, start: '2024-01-01T00:00:00.000Z' });
  });

  it('prints a one-line summary without --json and honours --start and --quiet', async () => {
    const r = await almanac('--clients', '3', '--campaigns', '3', '--days', '2', '--start', '2023-06-01', '--out', 'w2', '--quiet');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^simulated \d+ events \(client 3, campaign 3, touch \d+, outcome \d+; .*\) → .*events\.jsonl, .*ground-truth\.json\n$/);
    const first = JSON.parse(readFileSync(join(home, 'w2', 'events.jsonl'), 'utf8').split('\n')[0] ?? '') as { ts: number };
    expect(first.ts).toBe(Date.parse('2023-06-01T00:00:00Z'));
  });

  it.each([
    [['--days', '-1', '--out', 'x'], /--days must be an integer ≥ 1, got '-1'/],
    [['--clients', '2.5', '--out', 'x'], /--clients must be an integer ≥ 1/],
    [['--duplicate-rate', '0.9', '--out', 'x'], /--duplicate-rate must be a number between 0 and 0.5/],
    [['--start', 'yesterday', '--out', 'x'], /start: must be an ISO-8601 date/],
    [['--days', '3'], /required option '--out <dir>' not specified/],
  ])('rejects %j with exit code 2 and one line', async (args, message) => {
    const r = await almanac(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  // /proc refuses children with ENOENT, on which Node 20's recursive mkdir retried forever (issue 12).
  it.runIf(process.platform === 'linux').each([
    ['/proc/almanac-x', "--out '/proc/almanac-x' cannot be created (ENOENT); pass a writable folder path"],
    ['/proc/almanac-x/y/z', "--out '/proc/almanac-x/y/z' cannot be created (ENOENT); pass a writable folder path"],
    ['/proc/self/status/x', "--out '/proc/self/status/x' is under the file '/proc/self/status', not a folder; pass a folder path"],
  ])('--out %s fails at once with exit code 2 and one line', (out, message) => {
    const r = spawnSync(process.execPath, [join(repo, 'app/bin.js'), 'simulate', '--out', out, '--days', '1', '--clients', '1', '--campaigns', '1', '--quiet'], {
      cwd: home, env: { ...process.env, ALMANAC_HOME: home }, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`almanac: ALMANAC_ERR_INPUT_INVALID: ${message}\n`);
  }, 70_000);

  it('--help documents every option', async () => {
    const r = await almanac('--help');
    expect(r.code).toBe(0);
    for (const flag of ['--seed', '--clients', '--campaigns', '--days', '--out', '--touches-per-day', '--start', '--json']) expect(r.stdout).toContain(flag);
  });
});
