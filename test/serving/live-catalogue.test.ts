import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { markCurrentCatalogue, writePatternCatalogue, type PatternCatalogue } from '../../embeddings/patterns/pattern-catalogue.ts';
import { liveCatalogue } from '../../serving/search/live-catalogue.ts';

const homes: string[] = [];
afterAll(() => homes.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => vi.useRealTimers());

function setup() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-live-catalogue-'));
  homes.push(home);
  const config = loadConfig({ env: {}, overrides: { home } });
  const write = (collection: string) => writePatternCatalogue(config, { collection, encoder: { kind: 'configuration-encoder' }, attributes: [], patterns: [] } as unknown as PatternCatalogue);
  const rt = { deps: { config }, indexVersion: undefined as string | undefined };
  return { config, rt, write };
}

describe('the live pattern catalogue', () => {
  it('is the served index build\'s own, read once: its file is not read again for later requests', () => {
    const { config, rt, write } = setup();
    const file = write('patterns_a');
    markCurrentCatalogue(config, 'patterns_a');
    rt.indexVersion = 'patterns_a';
    expect(liveCatalogue(rt).collection).toBe('patterns_a');
    writeFileSync(file, 'not json'); // a read now would fail
    expect(liveCatalogue(rt).collection).toBe('patterns_a');
    // a new build served: its own catalogue
    write('patterns_b');
    rt.indexVersion = 'patterns_b';
    expect(liveCatalogue(rt).collection).toBe('patterns_b');
  });

  it('stands in the CURRENT build for an index that names no build of the home, and sees CURRENT change within a second', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T00:00:00Z'));
    const { config, rt, write } = setup();
    write('patterns_a');
    markCurrentCatalogue(config, 'patterns_a');
    rt.indexVersion = 'patterns_elsewhere'; // e.g. an index built by another home
    expect(liveCatalogue(rt).collection).toBe('patterns_a');
    write('patterns_b');
    markCurrentCatalogue(config, 'patterns_b');
    vi.setSystemTime(new Date('2026-12-01T00:00:00.500Z'));
    expect(liveCatalogue(rt).collection).toBe('patterns_a'); // held (no two file reads per request)
    vi.setSystemTime(new Date('2026-12-01T00:00:01.001Z'));
    expect(liveCatalogue(rt).collection).toBe('patterns_b');
    // the index switched to a build of this home: its catalogue at once
    write('patterns_c');
    rt.indexVersion = 'patterns_c';
    expect(liveCatalogue(rt).collection).toBe('patterns_c');
  });

  it('refuses when no build is there', () => {
    const { rt } = setup();
    rt.indexVersion = 'patterns_none';
    expect(() => liveCatalogue(rt)).toThrow(/no success-pattern index has been built yet/);
  });
});
