import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { isAlmanacError } from '../../../core/errors.ts';
import { createModelRegistry } from '../../../models/registry/create-model-registry.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../tiny-model.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-registry-corrupt-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function registryWithAliases(aliases: string) {
  const home = fs.mkdtempSync(path.join(root, 'home-'));
  const registry = await createModelRegistry(loadConfig({ env: {}, overrides: { home } }));
  await registry.register({ name: 'touch-success', onnxFile: writeTinyOnnx(root, `m-${path.basename(home)}.onnx`, 1), metrics: tinyMetrics(0.7, 0.4), signature: tinySignature, lineage: tinyLineage });
  await registry.promote(1);
  fs.writeFileSync(path.join(home, 'registry', 'aliases.json'), aliases);
  return { home, registry };
}

async function errorOf(p: Promise<unknown>) {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!isAlmanacError(e)) throw new Error(`expected an AlmanacError, got ${String(e)}`);
  return e;
}

describe('a corrupt registry alias file', () => {
  it.each([
    ['not JSON', '{"champion": 1,', 'is not valid JSON'],
    ['not an object', '5', 'is not a JSON object'],
    ['a champion that is not a version', '{"revision": 3, "champion": "one"}', 'has an invalid "champion" (got "one"; a version number ≥ 1)'],
    ['no revision', '{"champion": 1}', 'has no valid "revision" (got nothing)'],
  ])('(%s) is refused with ALMANAC_ERR_REGISTRY_CORRUPT naming the file relative to the home and the fix', async (_what, body, reason) => {
    const { home, registry } = await registryWithAliases(body);
    const e = await errorOf(registry.list());
    expect(e).toMatchObject({ code: 'ALMANAC_ERR_REGISTRY_CORRUPT', status: 503, details: { file: path.join('registry', 'aliases.json') } });
    expect(e.message).toBe(`registry alias file registry/aliases.json (in the home ${home}) ${reason}; restore it from a backup, or delete it and set the champion again with \`almanac models promote VERSION --force\``);
  });

  it('is not overwritten by an alias change', async () => {
    const { home, registry } = await registryWithAliases('{"champion": 1,');
    expect((await errorOf(registry.rollback())).code).toBe('ALMANAC_ERR_REGISTRY_CORRUPT');
    expect(fs.readFileSync(path.join(home, 'registry', 'aliases.json'), 'utf8')).toBe('{"champion": 1,');
  });

  it('once deleted, the documented fix (promote --force) sets the champion again', async () => {
    const { home, registry } = await registryWithAliases('{"champion": 1,');
    fs.rmSync(path.join(home, 'registry', 'aliases.json'));
    await registry.promote(1, { force: true });
    expect((await registry.list()).map((v) => v.aliases)).toEqual([['champion']]);
  });
});
