import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { ingestFiles } from '../../../pipelines/ingest/ingest-events.ts';
import { arrivalOrder, generateWorld } from '../fixtures/generate-events.ts';
import { offlineRows } from '../jobs/job-fixture.ts';
import { createOfflineStore } from '../../../features/offline-store/create-offline-store.ts';
import type { AlmanacConfig } from '../../../core/config.ts';

async function offlineViews(config: AlmanacConfig): Promise<string[]> {
  const store = await createOfflineStore(config);
  try {
    return await store.views();
  } finally {
    await store.close();
  }
}

const run = promisify(execFile);
const BIN = path.resolve('app/bin.js');

async function almanac(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, ALMANAC_HOME: home, ALMANAC_FSYNC: 'none', ALMANAC_PARTITIONS: '3', ALMANAC_LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('almanac features (CLI end to end)', () => {
  it('stream --until-caught-up, backfill, materialize and training-set on an ingested home', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-cli-'));
    const file = path.join(home, 'events.jsonl');
    const events = arrivalOrder(generateWorld({ days: 12, clients: 3, seed: 21 }), { duplicates: 0.05 });
    writeFileSync(file, events.map((e) => JSON.stringify({ ...e, ts: new Date(e.ts).toISOString() })).join('\n'));
    const config = loadConfig({ env: {}, overrides: { home, eventLog: { partitions: 3, fsync: 'none' } } });
    const ingested = await ingestFiles(config, [file], { quiet: true });
    expect(ingested.accepted).toBeGreaterThan(300);
    expect(ingested.duplicates).toBeGreaterThan(0);

    const stream = await almanac(home, 'features', 'stream', '--until-caught-up');
    expect(stream.code).toBe(0);
    const streamReport = JSON.parse(stream.stdout);
    expect(streamReport).toMatchObject({ records: ingested.accepted, lag: 0 });
    expect(stream.stderr).toMatch(/\[features stream\].*done/);
    const streamed = await offlineRows(config);

    const compact = await almanac(home, 'features', 'compact');
    expect(compact.code).toBe(0);
    const compacted = JSON.parse(compact.stdout) as { view: string; filesBefore: number; filesAfter: number; partitions: number }[];
    expect(compacted.map((r) => r.view).sort()).toEqual((await offlineViews(config)).sort());
    for (const view of compacted.map((r) => r.view)) {
      for (const date of readdirSync(path.join(home, 'offline', view))) expect(readdirSync(path.join(home, 'offline', view, date)), `${view}/${date}`).toHaveLength(1);
    }
    expect(await offlineRows(config)).toEqual(streamed);
    const unknown = await almanac(home, 'features', 'compact', '--view', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no offline rows for view 'nope'; views with rows: /);

    const backfill = await almanac(home, 'features', 'backfill', '--from', '2024-01-01', '--to', '2024-02-01');
    expect(backfill.code).toBe(0);
    expect(JSON.parse(backfill.stdout).rows).toBe(streamed.length);
    expect(await offlineRows(config)).toEqual(streamed);

    const mat = await almanac(home, 'features', 'materialize');
    expect(mat.code).toBe(0);
    expect(JSON.parse(mat.stdout).rowsByView.client_activity).toBe(3);

    const ts = await almanac(home, 'features', 'training-set', '--attribution-window', '3d');
    expect(ts.code).toBe(0);
    const manifest = JSON.parse(ts.stdout);
    expect(manifest.rows).toBeGreaterThan(100);
    expect(manifest.attributionWindowMs).toBe(3 * 86_400_000);
    expect(readFileSync(path.join(home, 'training-sets', 'LATEST'), 'utf8').trim()).toBe(manifest.id);
  });

  it('exits 2 with a one-line reason on bad input', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-cli-'));
    const bad = [
      ['features', 'backfill', '--from', 'yesterday'],
      ['features', 'training-set', '--attribution-window', 'seven days'],
      ['features', 'backfill', '--from', '2024-02-01', '--to', '2024-01-01'],
    ];
    for (const args of bad) {
      const r = await almanac(home, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^almanac: /);
    }
  });
});
