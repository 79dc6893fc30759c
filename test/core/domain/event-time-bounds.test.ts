import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { parseEvent } from '../../../core/domain/event.ts';
import { DEFAULT_EVENT_TIME_BOUNDS } from '../../../core/domain/event-time-bounds.ts';
import { isAlmanacError } from '../../../core/errors.ts';

/** The reproduction of issue 12: this event put a partition's watermark at year 9999. */
const FAR_FUTURE_CLIENT = { type: 'client', event_id: 'atk-future-1', client_id: 's7-cl002', ts: '9999-12-31T23:59:59Z', industry: 'media' };

const NOW = Date.parse('2026-12-01T12:00:00Z');

function rejection(raw: unknown, options: Parameters<typeof parseEvent>[2] = { now: NOW }, prefix = '') {
  try {
    parseEvent(raw, prefix, options);
  } catch (e) {
    if (!isAlmanacError(e)) throw e;
    return { code: e.code, message: e.message, issues: e.details.issues as { path: string; reason: string }[] };
  }
  throw new Error('accepted');
}

describe('event time bounds (parseEvent)', () => {
  it('rejects the far-future event of the issue, epoch ms 8.64e15 and year 0000, naming ts, the value and the bounds', () => {
    const future = rejection(FAR_FUTURE_CLIENT);
    expect(future.code).toBe('ALMANAC_ERR_INPUT_INVALID');
    expect(future.issues).toHaveLength(1);
    expect(future.issues[0]?.path).toBe('ts');
    expect(future.issues[0]?.reason).toContain('9999-12-31T23:59:59.000Z');
    expect(future.issues[0]?.reason).toContain('2000-01-01T00:00:00.000Z .. 2026-12-02T12:00:00.000Z');
    expect(future.message).toMatch(/^invalid client event: ts: /);

    const epoch = rejection({ ...FAR_FUTURE_CLIENT, ts: 8.64e15 });
    expect(epoch.issues[0]).toMatchObject({ path: 'ts', reason: expect.stringContaining('8640000000000000 (+275760-09-13T00:00:00.000Z) is more than 86400000 ms ahead') });

    const zero = rejection({ ...FAR_FUTURE_CLIENT, ts: '0000-06-01T00:00:00Z' });
    expect(zero.issues[0]).toMatchObject({ path: 'ts', reason: expect.stringContaining('0000-06-01T00:00:00.000Z is before the earliest accepted event time') });
    expect(rejection({ ...FAR_FUTURE_CLIENT, ts: 0 }).issues[0]?.path).toBe('ts');
  });

  it('accepts the edges: the floor itself and now + skew; one ms past either is rejected; paths carry the prefix', () => {
    const at = (ts: number) => ({ ...FAR_FUTURE_CLIENT, ts });
    expect(parseEvent(at(DEFAULT_EVENT_TIME_BOUNDS.minTimestamp), '', { now: NOW }).ts).toBe(Date.parse('2000-01-01T00:00:00Z'));
    expect(parseEvent(at(NOW + 86_400_000), '', { now: NOW }).ts).toBe(NOW + 86_400_000);
    expect(rejection(at(NOW + 86_400_001)).issues[0]?.path).toBe('ts');
    expect(rejection(at(DEFAULT_EVENT_TIME_BOUNDS.minTimestamp - 1), { now: NOW }, 'events.4').issues[0]?.path).toBe('events.4.ts');
    // every event type is bounded
    const touch = { type: 'touch', event_id: 'e', touch_id: 't', campaign_id: 'k', client_id: 'c', ts: '9999-01-01T00:00:00Z', audience: { segment: 's' } };
    expect(rejection(touch).issues[0]?.path).toBe('ts');
    expect(rejection({ type: 'outcome', event_id: 'o', touch_id: 't', campaign_id: 'k', client_id: 'c', ts: '9999-01-01T00:00:00Z', kind: 'click' }).issues[0]?.path).toBe('ts');
  });

  it('uses the bounds it is given (config.events) and the clock by default', () => {
    const tight = { maxFutureSkewMs: 0, minTimestamp: Date.parse('2024-01-01T00:00:00Z') };
    expect(rejection({ ...FAR_FUTURE_CLIENT, ts: '2023-12-31T23:59:59Z' }, { bounds: tight, now: NOW }).issues[0]?.reason).toContain('2024-01-01T00:00:00.000Z ..');
    expect(rejection({ ...FAR_FUTURE_CLIENT, ts: NOW + 1 }, { bounds: tight, now: NOW }).issues[0]?.path).toBe('ts');
    expect(parseEvent({ ...FAR_FUTURE_CLIENT, ts: Date.now() - 1000 }).type).toBe('client');
    expect(rejection({ ...FAR_FUTURE_CLIENT, ts: Date.now() + 2 * 86_400_000 }, {}).issues[0]?.path).toBe('ts');
  });
});

describe('events config', () => {
  it('defaults to 1 day of skew and 2000-01-01, reads ALMANAC_MAX_FUTURE_SKEW and an ISO or epoch-ms floor', () => {
    expect(loadConfig({ env: {} }).events).toEqual({ maxFutureSkewMs: 86_400_000, minTimestamp: Date.parse('2000-01-01T00:00:00Z') });
    expect(loadConfig({ env: { ALMANAC_MAX_FUTURE_SKEW: '60000' } }).events.maxFutureSkewMs).toBe(60_000);
    expect(loadConfig({ env: {}, overrides: { events: { minTimestamp: '2020-01-01T00:00:00Z' } } }).events.minTimestamp).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect(loadConfig({ env: {}, overrides: { events: { minTimestamp: 5 } } }).events.minTimestamp).toBe(5);
  });

  it('rejects a negative skew, a non-integer env value, a bad floor and unknown keys, naming the field', () => {
    expect(() => loadConfig({ env: {}, overrides: { events: { maxFutureSkewMs: -1 } } })).toThrow(/events\.maxFutureSkewMs/);
    expect(() => loadConfig({ env: { ALMANAC_MAX_FUTURE_SKEW: '1 day' } })).toThrow(/ALMANAC_MAX_FUTURE_SKEW='1 day' is not an integer/);
    expect(() => loadConfig({ env: {}, overrides: { events: { minTimestamp: 'last year' } } })).toThrow(/events\.minTimestamp/);
    expect(() => loadConfig({ env: {}, overrides: { events: { maxSkew: 1 } as never } })).toThrow(/unknown field 'maxSkew'/);
  });
});
