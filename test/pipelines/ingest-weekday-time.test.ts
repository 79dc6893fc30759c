import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMapping } from '../../pipelines/ingest/csv-mapping.ts';
import { eventTimeOf } from '../../pipelines/ingest/event-time.ts';

const rule = (extra: Record<string, unknown>) => ({ kind: 'month_day_in_row_order' as const, month: 'month', startYear: 2008, stepMs: 1000, ...extra });

function times(rows: [string, string][]): string[] {
  const time = eventTimeOf(rule({ weekday: 'dow' }));
  return rows.map(([month, dow]) => new Date(time((c) => (c === 'month' ? month : dow))).toISOString().slice(0, 19));
}

describe('month_day_in_row_order with a weekday column (bank-additional)', () => {
  it('starts a month on its first date with that weekday and moves to the next such date when the weekday changes', () => {
    // 2008-05-05 is a Monday; 2008-06-02 a Monday; 2008-07-01 a Tuesday
    expect(times([['may', 'mon'], ['may', 'mon'], ['may', 'tue'], ['may', 'fri'], ['may', 'mon'], ['jun', 'mon'], ['jul', 'tue'], ['mar', 'wed']])).toEqual([
      '2008-05-05T00:00:00', '2008-05-05T00:00:01', '2008-05-06T00:00:00', '2008-05-09T00:00:00', '2008-05-12T00:00:00',
      '2008-06-02T00:00:00', '2008-07-01T00:00:00', '2009-03-04T00:00:00',
    ]);
  });

  it('stays within the month when the weekdays run past its end', () => {
    const out = times([['may', 'fri'], ['may', 'mon'], ['may', 'tue'], ['may', 'wed'], ['may', 'thu'], ['may', 'fri'], ['may', 'mon'], ['may', 'tue'], ['may', 'wed'], ['may', 'thu'], ['may', 'fri'], ['may', 'mon'], ['may', 'tue'], ['may', 'wed'], ['may', 'thu'], ['may', 'fri'], ['may', 'mon'], ['may', 'tue'], ['may', 'wed'], ['may', 'thu'], ['may', 'fri'], ['may', 'mon'], ['may', 'tue']]);
    expect(out.at(-1)?.slice(0, 10)).toBe('2008-05-31');
    expect([...out].sort()).toEqual(out);
  });

  it('rejects a row whose weekday is not one', () => {
    const time = eventTimeOf(rule({ weekday: 'dow' }));
    expect(() => time((c) => (c === 'month' ? 'may' : 'someday'))).toThrow("dow: 'someday' is not a day of week (mon..sun)");
  });

  it('a mapping must give exactly one of day and weekday', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-weekday-'));
    const load = (time: unknown) => {
      const file = path.join(dir, 'm.json');
      writeFileSync(file, JSON.stringify({ time, events: [{ type: 'client', fields: { event_id: 'c', client_id: 'c', ts: { time: 'event' } } }] }));
      return loadMapping(file);
    };
    try {
      expect(() => load(rule({ day: 'd', weekday: 'w' }))).toThrow(/time\.day: give exactly one of "day"/);
      expect(() => load(rule({}))).toThrow(/exactly one of "day"/);
      expect(load(rule({ weekday: 'w' })).time).toMatchObject({ weekday: 'w' });
      expect(loadMapping('pipelines/ingest/mappings/bank-additional.json').time).toMatchObject({ weekday: 'day_of_week', month: 'month' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
