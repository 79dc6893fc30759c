import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BANK = path.resolve(REPO, '../shared/data/bank-marketing/bank-full.csv');
const MAPPING = path.join(REPO, 'pipelines/ingest/mappings/bank-marketing.json');
const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-ingest-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function almanac(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ALMANAC_HOME: home, ALMANAC_FSYNC: 'none' };
  delete env.ALMANAC_CONFIG;
  const r = spawnSync(process.execPath, [path.join(REPO, 'app/bin.js'), ...args], {
    cwd: home, // no almanac.config.json there
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('almanac ingest (CLI)', () => {
  it('exits 2 with one line for a missing file and a bad mapping', () => {
    const missing = almanac('ingest', path.join(home, 'nope.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('ALMANAC_ERR_INPUT_INVALID');
    const badMapping = path.join(home, 'bad-mapping.json');
    writeFileSync(badMapping, '{"events": []}');
    const csv = path.join(home, 'a.csv');
    writeFileSync(csv, 'x\n1\n');
    const bad = almanac('ingest', csv, '--mapping', badMapping);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid mapping');
  });

  it('prints counts, the first rejections, writes --rejects and exits 0 with rejections', () => {
    const file = path.join(home, 'mixed.jsonl');
    const rejects = path.join(home, 'rejects.jsonl');
    const good = { type: 'client', event_id: 'c-1', client_id: 'acme', ts: 1_700_000_000_000, industry: 'retail' };
    writeFileSync(file, `${JSON.stringify(good)}\nnot json\n`);
    const r = almanac('ingest', file, '--rejects', rejects, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('accepted 1 (client 1), duplicates 0, rejected 1');
    expect(r.stdout).toContain(`${file}:2: malformed JSON`);
    expect(JSON.parse(readFileSync(rejects, 'utf8').trim())).toMatchObject({ file, line: 2 });
  });

  it.skipIf(!existsSync(BANK))('imports the UCI bank CSV in full, and a second run adds nothing', () => {
    const first = almanac('ingest', BANK, '--mapping', MAPPING, '--json', '--quiet');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ accepted: 45_211 + 5_289 + 30 + 1, duplicates: 0, rejected: [], byType: { touch: 45_211, outcome: 5_289, campaign: 30, client: 1 } });
    const second = almanac('ingest', BANK, '--mapping', MAPPING, '--quiet');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('accepted 0, duplicates 50531, rejected 0');
  });
});
