import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleLine, readTrainingSet, writeTrainingSet } from '../../features/training-set-file.ts';
import type { TrainingSet } from '../../features/training-set.ts';

const set: TrainingSet = {
  manifest: {
    id: 'ts-test', createdAt: '2024-01-01T00:00:00.000Z', range: { from: 0, to: 3 }, rows: 2, positives: 1, attributionWindowMs: 1000,
    columns: [{ name: 'touch.channel', type: 'categorical', source: 'touch' }, { name: 'client_activity.ctr_1d', type: 'numeric', source: 'view:client_activity' }],
    featureViews: [{ name: 'client_activity', version: 1 }], eventLogOffsets: { 0: 2 }, file: 'examples.jsonl',
  },
  examples: [
    { touch_id: 't1', client_id: 'c1', campaign_id: 'k1', ts: 1, label: 0, features: { 'touch.channel': 'email', 'client_activity.ctr_1d': 0.1 + 0.2 } },
    { touch_id: 't2', client_id: 'c1', campaign_id: 'k1', ts: 2, label: 1, features: { 'touch.channel': null, 'client_activity.ctr_1d': null } },
  ],
};

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'almanac-ts-file-'));

describe('training set files', () => {
  it('stores feature values once per line in manifest column order and reads the same set back', async () => {
    const dir = tempDir();
    await writeTrainingSet(dir, set);
    const lines = readFileSync(path.join(dir, 'examples.jsonl'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('["t1","c1","k1",1,0,"email",0.30000000000000004]');
    expect(lines[0]).toBe(exampleLine(set.manifest.columns, set.examples[0] as TrainingSet['examples'][number]));
    expect(await readTrainingSet(dir)).toEqual({ ...set, dir });
  });

  it('reads absent features as null and still reads whole-object lines (earlier format)', async () => {
    const dir = tempDir();
    const sparse = { ...set, examples: [set.examples[0], { ...set.examples[1], features: {} }] } as TrainingSet;
    await writeTrainingSet(dir, sparse);
    expect((await readTrainingSet(dir)).examples[1]?.features).toEqual({ 'touch.channel': null, 'client_activity.ctr_1d': null });
    writeFileSync(path.join(dir, 'examples.jsonl'), `${set.examples.map((e) => JSON.stringify(e)).join('\n')}\n`);
    expect(await readTrainingSet(dir)).toEqual({ ...set, dir });
  });

  it('rejects a line whose value count does not match the manifest columns', async () => {
    const dir = tempDir();
    await writeTrainingSet(dir, set);
    writeFileSync(path.join(dir, 'examples.jsonl'), '["t1","c1","k1",1,0,"email"]\n["t2","c1","k1",2,1,null,null]\n');
    await expect(readTrainingSet(dir)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });
});
