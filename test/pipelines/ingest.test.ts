import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { createEmbeddedEventLog } from '../../pipelines/event-log/embedded/embedded-event-log.ts';
import { EVENTS_TOPIC, type LogRecord } from '../../pipelines/event-log/event-log.ts';
import { CsvParser } from '../../pipelines/ingest/csv-reader.ts';
import { ingestFiles } from '../../pipelines/ingest/ingest-events.ts';
import { registerOwners } from '../tenants-fixture.ts';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'almanac-ingest-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const configFor = (home: string): AlmanacConfig => loadConfig({ env: {}, overrides: { home, eventLog: { fsync: 'none', partitions: 2 } } });

async function allRecords(config: AlmanacConfig): Promise<LogRecord[]> {
  const log = createEmbeddedEventLog(config);
  const out: LogRecord[] = [];
  for (const p of await log.offsets(EVENTS_TOPIC)) out.push(...(await log.read(EVENTS_TOPIC, p.partition, p.start, 1_000_000)));
  await log.close();
  return out;
}

const touch = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'touch', event_id: `t-ev-${i}`, touch_id: `t-${i}`, campaign_id: 'cmp-1', client_id: 'acme', ts: '2024-05-01T10:00:00Z', channel: 'email', audience: { segment: 'young' }, ...extra });

describe('ingestFiles (JSONL)', () => {
  it('accepts valid lines and rejects malformed JSON, unknown fields and wrong types with line numbers', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'events.jsonl');
    writeFileSync(
      file,
      [
        touch(1),
        '{"type":"touch", broken',
        touch(2, { colour: 'red' }),
        '',
        touch(3, { ts: 'yesterday' }),
        touch(4, { audience: { segment: 'young', age: 31 } }),
        JSON.stringify({ type: 'purchase', event_id: 'x' }),
      ].join('\n'),
    );
    const config = configFor(path.join(dir, 'home'));
    await registerOwners(config, { acme: ['cmp-1'], shop: [] }); // registered tenants (acme's campaign created earlier)
    const report = await ingestFiles(config, [file], { quiet: true });
    expect(report.accepted).toBe(2);
    expect(report.byType).toEqual({ touch: 2 });
    expect(report.rejected.map((r) => r.line)).toEqual([2, 3, 5, 7]);
    expect(report.rejected.every((r) => r.file === file)).toBe(true);
    expect(report.rejected[0]?.reason).toMatch(/^malformed JSON/);
    expect(report.rejected[1]?.reason).toBe("colour: unknown field 'colour'");
    expect(report.rejected[2]?.reason).toMatch(/^ts: /);
    expect(report.rejected[3]?.reason).toMatch(/^type: must be one of/);
    const records = await allRecords(config);
    expect(records.map((r) => r.id).sort()).toEqual(['4:acme:t-ev-1', '4:acme:t-ev-4']); // ids are (client_id, event_id)
    const stored = JSON.parse((records.find((r) => r.id === '4:acme:t-ev-4') as LogRecord).value);
    expect(stored).toMatchObject({ ts: Date.parse('2024-05-01T10:00:00Z'), attributes: {}, audience: { age: 31 } });
    expect(records[0]).toMatchObject({ key: 'acme', timestamp: Date.parse('2024-05-01T10:00:00Z') });
  });

  it('writes nothing new when the same file is ingested again', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'events.jsonl');
    writeFileSync(file, `${Array.from({ length: 50 }, (_, i) => touch(i)).join('\n')}\n`);
    const config = configFor(path.join(dir, 'home'));
    await registerOwners(config, { acme: ['cmp-1'], shop: [] }); // registered tenants (acme's campaign created earlier)
    expect((await ingestFiles(config, [file], { quiet: true })).accepted).toBe(50);
    const log = createEmbeddedEventLog(config);
    const before = await log.offsets(EVENTS_TOPIC);
    await log.close();
    const again = await ingestFiles(config, [file], { quiet: true });
    expect(again).toMatchObject({ accepted: 0, duplicates: 50, rejected: [] });
    const log2 = createEmbeddedEventLog(config);
    expect(await log2.offsets(EVENTS_TOPIC)).toEqual(before);
    await log2.close();
  });

  it('fails with ALMANAC_ERR_INPUT_INVALID before writing for a missing file or an unknown format', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.jsonl');
    writeFileSync(good, touch(1));
    const config = configFor(path.join(dir, 'home'));
    await registerOwners(config, { acme: ['cmp-1'], shop: [] }); // registered tenants (acme's campaign created earlier)
    await expect(ingestFiles(config, [good, path.join(dir, 'missing.jsonl')], { quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    await expect(ingestFiles(config, [good], { quiet: true, format: 'xml' as never })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    await expect(ingestFiles(config, [path.join(dir, 'x.csv')].map(() => good).concat(path.join(dir, 'a.txt')), { quiet: true })).rejects.toMatchObject({
      code: 'ALMANAC_ERR_INPUT_INVALID',
    });
  });
});

const MAPPING = {
  csv: { delimiter: ',', quote: '"', header: true },
  time: { kind: 'column', column: 'when', format: 'iso' },
  drop: ['secret'],
  events: [
    {
      type: 'campaign',
      once: true,
      fields: {
        event_id: 'cmp-{col:campaign}',
        campaign_id: '{col:campaign}',
        client_id: 'shop',
        ts: { time: 'month_start' },
        industry: 'retail',
        objective: 'sales',
        channel: 'email',
        budget: 0,
        start: { time: 'month_start' },
        end: { time: 'month_end' },
      },
    },
    {
      type: 'touch',
      fields: {
        event_id: 'touch-{file}-{row}',
        touch_id: '{file}-{row}',
        campaign_id: '{col:campaign}',
        client_id: 'shop',
        ts: { time: 'event' },
        audience: { fields: { segment: { column: 'segment' }, age: { column: 'age', type: 'number' }, vip: { column: 'vip', type: 'boolean' } } },
        attributes: { fields: { note: { column: 'note' }, source: { const: 'csv' } } },
      },
    },
    {
      type: 'outcome',
      when: { column: 'converted', equals: 'yes' },
      fields: {
        event_id: 'outcome-{file}-{row}',
        touch_id: '{file}-{row}',
        campaign_id: '{col:campaign}',
        client_id: 'shop',
        ts: { time: 'event', offsetMs: 60_000 },
        kind: 'conversion',
      },
    },
  ],
};

describe('ingestFiles (CSV with a mapping)', () => {
  it('maps rows (quoted fields included) to events and rejects a row with an invalid event as a whole', async () => {
    const dir = tempDir();
    const mapping = path.join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify(MAPPING));
    const file = path.join(dir, 'shop.csv');
    writeFileSync(
      file,
      [
        'when,campaign,segment,age,vip,note,converted,secret',
        '2024-05-02T10:00:00Z,spring,young,31,true,"hello, ""world""",yes,s1',
        '2024-05-02T11:00:00Z,spring,old,notanumber,false,x,yes,s2',
        '2024-05-03T11:00:00Z,spring,"mid\ndle",45,false,"multi',
        'line",no,s3',
        '2024-05-04T11:00:00Z,spring,old,50,maybe,x,no,s4',
      ].join('\r\n'),
    );
    const config = configFor(path.join(dir, 'home'));
    await registerOwners(config, { acme: ['cmp-1'], shop: [] }); // registered tenants (acme's campaign created earlier)
    const report = await ingestFiles(config, [file], { mapping, quiet: true });
    expect(report.byType).toEqual({ campaign: 1, touch: 2, outcome: 1 });
    expect(report.rejected.map((r) => r.line)).toEqual([3, 7]); // row 3 spans lines 4-6 (quoted line breaks)
    expect(report.rejected[0]?.reason).toBe("age: column age value 'notanumber' is not a number");
    expect(report.rejected[1]?.reason).toMatch(/^vip: column vip value 'maybe' is not a boolean/);
    const records = await allRecords(config);
    const byId = new Map(records.map((r) => [JSON.parse(r.value).event_id as string, JSON.parse(r.value)]));
    expect([...byId.keys()].sort()).toEqual(['cmp-spring', 'outcome-shop-1', 'touch-shop-1', 'touch-shop-3']);
    expect(byId.get('touch-shop-1')).toMatchObject({ audience: { segment: 'young', age: 31, vip: true }, attributes: { note: 'hello, "world"', source: 'csv' } });
    expect(byId.get('touch-shop-3')).toMatchObject({ audience: { segment: 'mid\ndle', age: 45 }, attributes: { note: 'multi\r\nline' } });
    expect(byId.get('outcome-shop-1')).toMatchObject({ ts: Date.parse('2024-05-02T10:01:00Z'), touch_id: 'shop-1' });
    expect(byId.get('cmp-spring')).toMatchObject({ start: Date.parse('2024-05-01T00:00:00Z'), end: Date.parse('2024-06-01T00:00:00Z') - 1 });
    expect(JSON.stringify([...byId.values()])).not.toContain('s1');
  });

  it('rejects a row whose events fail the event schema, writing none of its events', async () => {
    const dir = tempDir();
    const mapping = path.join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify(MAPPING));
    const file = path.join(dir, 'bad.csv');
    // campaign id with a space is not a stable id: the campaign, touch and outcome of the row all fail together
    writeFileSync(file, 'when,campaign,segment,age,vip,note,converted,secret\n2024-05-02T10:00:00Z,bad id,young,31,true,x,yes,s\n2024-05-02T10:00:00Z,ok,young,31,true,x,yes,s\n');
    const config = configFor(path.join(dir, 'home'));
    await registerOwners(config, { acme: ['cmp-1'], shop: [] }); // registered tenants (acme's campaign created earlier)
    const report = await ingestFiles(config, [file], { mapping, quiet: true });
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0]).toMatchObject({ line: 2 });
    expect(report.rejected[0]?.reason).toMatch(/^campaign\.event_id: must not contain whitespace/);
    expect(report.byType).toEqual({ campaign: 1, touch: 1, outcome: 1 });
    expect((await allRecords(config)).every((r) => !r.value.includes('bad id'))).toBe(true);
  });

  it('rejects a bad mapping (unknown key, missing column) with ALMANAC_ERR_INPUT_INVALID', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const config = configFor(path.join(dir, 'home'));
    await registerOwners(config, { acme: ['cmp-1'], shop: [] }); // registered tenants (acme's campaign created earlier)
    const unknownKey = path.join(dir, 'm1.json');
    writeFileSync(unknownKey, JSON.stringify({ ...MAPPING, delimiter: ';' }));
    await expect(ingestFiles(config, [file], { mapping: unknownKey, quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining("unknown field 'delimiter'") });
    const good = path.join(dir, 'm2.json');
    writeFileSync(good, JSON.stringify(MAPPING));
    await expect(ingestFiles(config, [file], { mapping: good, quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining("column 'when'") });
    await expect(ingestFiles(config, [file], { quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });
});

describe('CsvParser', () => {
  it('handles quotes, escaped quotes, delimiters and line breaks split across chunks', () => {
    const parser = new CsvParser({ delimiter: ';', quote: '"' });
    const text = '"a;1";"say ""hi""";plain\r\n"x\ny";;"end"\n\nlast;row';
    const rows = [];
    for (let i = 0; i < text.length; i += 3) rows.push(...parser.push(text.slice(i, i + 3)));
    rows.push(...parser.end());
    expect(rows).toEqual([
      { line: 1, fields: ['a;1', 'say "hi"', 'plain'] },
      { line: 2, fields: ['x\ny', '', 'end'] },
      { line: 5, fields: ['last', 'row'] },
    ]);
  });

  it('flags an unterminated quoted field at the end of the input', () => {
    const parser = new CsvParser({ delimiter: ',', quote: '"' });
    expect(parser.push('a,"open\n')).toEqual([]);
    expect(parser.end()[0]).toMatchObject({ line: 1, error: expect.stringContaining('unterminated') });
  });
});
