import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homePath, loadConfig } from '../../core/config.ts';
import { MAX_BUILDS, patternHistory, patternKey, recordPatternHistory } from '../../embeddings/patterns/pattern-history.ts';
import { patterns } from '../serving/serving-fakes.ts';

const config = () => loadConfig({ env: {}, overrides: { home: mkdtempSync(path.join(os.tmpdir(), 'almanac-history-')) } });
const p = { ...patterns()[0]!, id: 'patterns_1.gabc' };
const build = (n: number, touches: number) => ({ collection: `patterns_${n}`, createdAt: new Date(n * 1000).toISOString(), patterns: [{ ...p, id: `patterns_${n}.gabc`, touches }] });

describe('pattern history', () => {
  it('keys a pattern by its id without the build prefix, so the same configuration is followed across builds', () => {
    expect(patternKey('patterns_17.gabc', 'patterns_17')).toBe('gabc');
    expect(patternKey('patterns_17.pabc.c1', 'patterns_17')).toBe('pabc.c1');
    const c = config();
    recordPatternHistory(c, build(1, 100));
    recordPatternHistory(c, build(2, 200));
    recordPatternHistory(c, build(2, 200)); // the same build again: one line
    const h = patternHistory(c, { ...p, id: 'patterns_3.gabc', touches: 300 }, { collection: 'patterns_3', createdAt: new Date(3000).toISOString() });
    expect(h.map((x) => [x.index_version, x.touches])).toEqual([['patterns_1', 100], ['patterns_2', 200], ['patterns_3', 300]]);
  });

  it(`keeps the last ${MAX_BUILDS} builds, and restarts (never throws) on a torn file`, () => {
    const c = config();
    for (let n = 1; n <= MAX_BUILDS + 5; n++) recordPatternHistory(c, build(n, n));
    const last = build(MAX_BUILDS + 5, 0);
    const h = patternHistory(c, last.patterns[0]!, last);
    expect(h).toHaveLength(MAX_BUILDS);
    expect(h[0]?.index_version).toBe('patterns_6');
    writeFileSync(homePath(c, 'patterns', 'history.json'), '{"format":1,"bui');
    expect(patternHistory(c, last.patterns[0]!, last).map((x) => x.index_version)).toEqual([last.collection]);
  });
});
