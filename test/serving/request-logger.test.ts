import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../serving/app.ts';
import { lazyChildLogger } from '../../serving/request-logger.ts';
import { fakeDeps, fakeFeatures } from './serving-fakes.ts';
import { bearer } from './auth-keys.ts';

function memoryLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level, base: { svc: 't' } }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return { logger, lines };
}

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

const TOUCH = { touch: { client_id: 'c1', campaign_id: 'cmp1', audience: { segment: 'young_urban' } } };

describe('request loggers (made on first use)', () => {
  it('write nothing for a good request at warn, and the failing request line with its request id', async () => {
    const { logger, lines } = memoryLogger('warn');
    const world = await fakeDeps({ features: { ...fakeFeatures, lookupCampaigns: async () => { throw new TypeError('bug'); } } });
    app = await buildApp(world.deps, { poll: false, logger });
    const bad = await app.inject({ method: 'POST', url: '/v1/predict', payload: TOUCH, headers: bearer(world.keys.byClient.c1!) });
    expect(bad.statusCode).toBe(500);
    expect(lines.map((l) => [l.msg, l.reqId, l.svc])).toEqual([['unexpected error', bad.headers['x-request-id'], 't']]);
  });

  it('write fastify request lines bound to the request id at info', async () => {
    const { logger, lines } = memoryLogger('info');
    const world = await fakeDeps();
    app = await buildApp(world.deps, { poll: false, logger });
    lines.length = 0;
    const res = await app.inject({ method: 'POST', url: '/v1/predict', payload: TOUCH, headers: { 'x-request-id': 'req-42', ...bearer(world.keys.byClient.c1!) } });
    expect(res.statusCode).toBe(200);
    const requestLines = lines.filter((l) => l.reqId !== undefined);
    expect(requestLines.map((l) => [l.msg, l.reqId])).toEqual([['incoming request', 'req-42'], ['request completed', 'req-42']]);
  });

  it('log exactly what a pino child with the same bindings logs, and make it on a level change or a grandchild', () => {
    const lazyOut = memoryLogger('info');
    const childOut = memoryLogger('info');
    const lazy = lazyChildLogger.call({} as FastifyInstance, lazyOut.logger, { reqId: 'r1' }, {});
    const child = childOut.logger.child({ reqId: 'r1' });
    for (const l of [lazy, child]) {
      l.debug('hidden');
      l.info({ a: 1 }, 'hello %s', 'x');
      l.error(new Error('boom'));
      l.warn('plain');
      l.level = 'debug';
      l.debug('now shown');
      l.child({ sub: 2 }).info('grandchild');
    }
    const strip = (lines: Record<string, unknown>[]) => lines.map(({ time: _t, err, ...rest }) => ({ ...rest, err: (err as { message?: string } | undefined)?.message }));
    expect(strip(lazyOut.lines)).toEqual(strip(childOut.lines));
    expect(lazyOut.lines.map((l) => l.msg)).toEqual(['hello x', 'boom', 'plain', 'now shown', 'grandchild']);
    expect(lazy.level).toBe('debug');
    expect(childOut.logger.level).toBe('info');
  });
});
