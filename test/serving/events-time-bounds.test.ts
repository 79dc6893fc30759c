import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { buildApp } from '../../serving/app.ts';
import { fakeDeps } from './serving-fakes.ts';
import { bearer } from './auth-keys.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

const FAR_FUTURE_CLIENT = { type: 'client', event_id: 'atk-future-1', client_id: 's7-cl002', ts: '9999-12-31T23:59:59Z', industry: 'media' };

describe('POST /v1/events: event time bounded at the edge (issue 12)', () => {
  it('rejects the far-future event, 8.64e15 and year 0000 by index with path events.N.ts and the bounds; appends only the valid one', async () => {
    const world = await fakeDeps();
    app = await buildApp(world.deps, { poll: false });
    const key = bearer(world.keys.admin); // an admin key: its client events register s7-cl002
    const events = [
      FAR_FUTURE_CLIENT,
      { ...FAR_FUTURE_CLIENT, event_id: 'atk-epoch', ts: 8.64e15 },
      { ...FAR_FUTURE_CLIENT, event_id: 'atk-zero', ts: '0000-12-31T00:00:00Z' },
      { ...FAR_FUTURE_CLIENT, event_id: 'ok-1', ts: '2024-01-01T00:00:00Z' },
    ];
    const res = await app.inject({ method: 'POST', url: '/v1/events', payload: { events }, headers: key });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(body.rejected).toEqual([
      { index: 0, path: 'events.0.ts', reason: expect.stringMatching(/^9999-12-31T23:59:59\.000Z is more than 86400000 ms ahead of now .*accepted: 2000-01-01T00:00:00\.000Z \.\. /) },
      { index: 1, path: 'events.1.ts', reason: expect.stringMatching(/^8640000000000000 \(\+275760-09-13T00:00:00\.000Z\) is more than/) },
      { index: 2, path: 'events.2.ts', reason: expect.stringMatching(/^0000-12-31T00:00:00\.000Z is before the earliest accepted event time/) },
    ]);
    expect(world.log.records.map((r) => r.id)).toEqual(['8:s7-cl002:ok-1']);
  });

  it('follows the configured bounds (events.maxFutureSkewMs, events.minTimestamp)', async () => {
    const world = await fakeDeps();
    const config = loadConfig({ env: {}, overrides: { home: world.config.home, logLevel: 'silent', events: { maxFutureSkewMs: 0, minTimestamp: '2024-06-01T00:00:00Z' } } });
    app = await buildApp({ ...world.deps, config }, { poll: false });
    const key = bearer(world.keys.admin); // an admin key: its client events register s7-cl002
    const events = [
      { ...FAR_FUTURE_CLIENT, event_id: 'old', ts: '2024-05-31T23:59:59Z' },
      { ...FAR_FUTURE_CLIENT, event_id: 'soon', ts: Date.now() + 3_600_000 },
      { ...FAR_FUTURE_CLIENT, event_id: 'ok', ts: '2024-06-01T00:00:00Z' },
    ];
    const body = (await app.inject({ method: 'POST', url: '/v1/events', payload: { events }, headers: key })).json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { path: string }) => r.path)).toEqual(['events.0.ts', 'events.1.ts']);
    expect(body.rejected[0].reason).toContain('accepted: 2024-06-01T00:00:00.000Z ..');
    expect(body.rejected[1].reason).toContain('is more than 0 ms ahead of now');
  });
});
