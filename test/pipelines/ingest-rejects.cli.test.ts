import { spawnSync } from 'node:child_process';
import { linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-ingest-rejects-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function almanac(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ALMANAC_HOME: path.join(home, 'home'), ALMANAC_FSYNC: 'none' };
  delete env.ALMANAC_CONFIG;
  const r = spawnSync(process.execPath, [path.join(REPO, 'app/bin.js'), ...args], { cwd: home, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CONTENT = `${JSON.stringify({ type: 'client', event_id: 'c-1', client_id: 'acme', ts: '2024-01-01T00:00:00Z', industry: 'retail' })}\nnot json\n`
  + `${JSON.stringify({ type: 'client', event_id: 'atk-future-1', client_id: 's7-cl002', ts: '9999-12-31T23:59:59Z', industry: 'media' })}\n`;

describe('almanac ingest --rejects (issue 12)', () => {
  it('refuses a rejects file that is an input (same path, another spelling, a symlink, a hard link): exit 2, one line, input untouched, nothing ingested', () => {
    const input = path.join(home, 'x.jsonl');
    writeFileSync(input, CONTENT);
    const symlink = path.join(home, 'link.jsonl');
    symlinkSync(input, symlink);
    const hardlink = path.join(home, 'hard.jsonl');
    linkSync(input, hardlink);
    for (const rejects of [input, path.join(home, '.', 'sub', '..', 'x.jsonl'), symlink, hardlink]) {
      const r = almanac('ingest', input, '--rejects', rejects, '--quiet');
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`almanac: ALMANAC_ERR_INPUT_INVALID: --rejects ${rejects} is the input file ${input}`);
      expect(r.stdout).toBe('');
      expect(readFileSync(input, 'utf8')).toBe(CONTENT);
    }
    // the second of several inputs is protected too
    const other = path.join(home, 'other.jsonl');
    writeFileSync(other, CONTENT);
    expect(almanac('ingest', other, input, '--rejects', input, '--quiet').code).toBe(2);
    expect(readFileSync(input, 'utf8')).toBe(CONTENT);
    expect(almanac('ingest', input, '--json', '--quiet').stdout).toContain('"accepted": 1'); // nothing was ingested by the refused runs
  });

  it('writes a separate rejects file as before, the far-future event among the rejections', () => {
    const input = path.join(home, 'y.jsonl');
    writeFileSync(input, CONTENT.replace('c-1', 'c-2'));
    const rejects = path.join(home, 'y.rejects.jsonl');
    const r = almanac('ingest', input, '--rejects', rejects, '--quiet');
    expect(r.code).toBe(0);
    const lines = readFileSync(rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([2, 3]);
    expect(lines[1].reason).toMatch(/^ts: 9999-12-31T23:59:59\.000Z is more than 86400000 ms ahead of now/);
  });
});
