import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'almanac-serve-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('almanac serve --port', () => {
  it.each(['99999', '-1', 'abc', '65536'])('--port %s exits 2 with one ALMANAC_ERR_INPUT_INVALID line, before starting', (port) => {
    const r = spawnSync(process.execPath, [join(repo, 'app/bin.js'), 'serve', '--port', port], {
      cwd: home, env: { ...process.env, ALMANAC_HOME: home }, encoding: 'utf8', timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`almanac: ALMANAC_ERR_INPUT_INVALID: option --port must be an integer in 0..65535, got '${port}'\n`);
  });
});
