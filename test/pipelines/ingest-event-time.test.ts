import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { createEmbeddedEventLog } from '../../pipelines/event-log/embedded/embedded-event-log.ts';
import { EVENTS_TOPIC } from '../../pipelines/event-log/event-log.ts';
import { ingestFiles } from '../../pipelines/ingest/ingest-events.ts';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'almanac-ingest-time-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const configFor = (home: string, env: Record<string, string> = {}): AlmanacConfig => loadConfig({ env, overrides: { home, eventLog: { fsync: 'none', partitions: 2 } } });

async function loggedIds(config: AlmanacConfig): Promise<string[]> {
  const log = createEmbeddedEventLog(config);
  const ids: string[] = [];
  for (const p of await log.offsets(EVENTS_TOPIC)) ids.push(...(await log.read(EVENTS_TOPIC, p.partition, p.start, 1_000_000)).map((r) => JSON.parse(r.value).event_id as string)); // the event ids (log ids are (client_id, event_id))
  await log.close();
  return ids.sort();
}

const client = (id: string, ts: unknown) => JSON.stringify({ type: 'client', event_id: id, client_id: 's7-cl002', ts, industry: 'media' });

describe('ingest: event time bounded at the edge (issue 12)', () => {
  it('rejects the far-future event, epoch ms 8.64e15 and year 0000 with the line and a ts reason; writes only the valid events', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'events.jsonl');
    writeFileSync(file, [
      client('ok-1', '2024-01-01T00:00:00Z'),
      JSON.stringify({ type: 'client', event_id: 'atk-future-1', client_id: 's7-cl002', ts: '9999-12-31T23:59:59Z', industry: 'media' }),
      client('atk-epoch', 8.64e15),
      client('atk-zero', '0000-01-01T00:00:00Z'),
      client('ok-2', new Date(Date.now() - 60_000).toISOString()),
    ].join('\n'));
    const config = configFor(path.join(dir, 'home'));
    const report = await ingestFiles(config, [file], { quiet: true });
    expect(report.accepted).toBe(2);
    expect(report.rejected.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(report.rejected[0]?.reason).toMatch(/^ts: 9999-12-31T23:59:59\.000Z is more than 86400000 ms ahead of now .*accepted: 2000-01-01T00:00:00\.000Z \.\. /);
    expect(report.rejected[1]?.reason).toMatch(/^ts: 8640000000000000 \(\+275760-09-13T00:00:00\.000Z\) is more than/);
    expect(report.rejected[2]?.reason).toMatch(/^ts: 0000-01-01T00:00:00\.000Z is before the earliest accepted event time/);
    expect(await loggedIds(config)).toEqual(['ok-1', 'ok-2']);
  });

  it('takes the bounds from config (ALMANAC_MAX_FUTURE_SKEW, events.minTimestamp), CSV rows included', async () => {
    const dir = tempDir();
    const mapping = path.join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify({
      csv: { delimiter: ',', quote: '"', header: true },
      time: { kind: 'column', column: 'when', format: 'iso' },
      events: [{ type: 'client', fields: { event_id: 'cl-{row}', client_id: 'shop', ts: { time: 'event' }, industry: 'retail' } }],
    }));
    const file = path.join(dir, 'clients.csv');
    const inTwoHours = new Date(Date.now() + 2 * 3_600_000).toISOString();
    writeFileSync(file, ['when', '2024-05-02T10:00:00Z', inTwoHours, '2019-12-31T23:59:59Z', '9999-12-31T23:59:59Z'].join('\n'));
    const config = loadConfig({ env: { ALMANAC_MAX_FUTURE_SKEW: '3600000' }, overrides: { home: path.join(dir, 'home'), eventLog: { fsync: 'none', partitions: 2 }, events: { minTimestamp: '2020-01-01T00:00:00Z' } } });
    const report = await ingestFiles(config, [file], { mapping, quiet: true });
    expect(report.accepted).toBe(1);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(report.rejected[0]?.reason).toMatch(/^client\.ts: .* is more than 3600000 ms ahead/);
    expect(report.rejected[1]?.reason).toMatch(/^client\.ts: 1577836799000 \(2019-12-31T23:59:59\.000Z\) is before .*accepted: 2020-01-01T00:00:00\.000Z \.\. /);
    expect(await loggedIds(config)).toEqual(['cl-1']);
  });
});
