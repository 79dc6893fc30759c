import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildDemo } from '../../app/demo.ts';
import { loadConfig } from '../../core/config.ts';

it('re-running the demo in the same home changes nothing and keeps the champion', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-demo-'));
  const config = loadConfig({ env: { ALMANAC_FSYNC: 'none' }, overrides: { home, logLevel: 'silent' } });
  const options = { quiet: true, epochs: 2, world: { clients: 6, campaigns: 18, days: 21, touchesPerDay: 30 } };
  const first = await buildDemo(config, options);
  expect(first.accepted).toBeGreaterThan(0);
  expect(first.champion).toBe(first.modelVersion);
  const second = await buildDemo(config, options);
  expect(second.accepted).toBe(0); // idempotent ingest: every event is a duplicate
  expect(second.modelVersion).toBe(first.modelVersion); // same events, same seed → the same registered model
  expect(second.champion).toBe(first.champion);
  expect(second.patterns).toBe(first.patterns);
  // the demo registered its clients and made a key per client and an admin key; a re-run reuses them
  expect(Object.keys(first.keys.clients)).toHaveLength(6);
  expect(first.keys.admin).toMatch(/^alm_[0-9a-f]{12}_/);
  expect(second.keys).toEqual(first.keys);
}, 240_000);
