/**
 * What the events-limit suites share: a served fake world (serving-fakes.ts) with client c1's key,
 * built before the calling suite and closed after it, a POST /v1/events of a raw body, and a valid
 * touch event of c1.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../../serving/app.ts';
import { bearer } from '../auth-keys.ts';
import { fakeDeps, type FakeWorld } from '../serving-fakes.ts';

export interface EventsApp {
  readonly app: FastifyInstance;
  readonly world: FakeWorld;
  readonly key: { authorization: string };
  /** POST /v1/events with `payload` as its JSON body text. */
  post(payload: string): Promise<LightMyRequestResponse>;
}

/** Call at the top of a suite (or file): its fields are there from the suite's first test on. */
export function useEventsApp(): EventsApp {
  const served = {} as { app: FastifyInstance; world: FakeWorld; key: { authorization: string } };
  beforeAll(async () => {
    served.world = await fakeDeps();
    served.key = bearer(served.world.keys.byClient.c1!);
    served.app = await buildApp(served.world.deps, { poll: false });
  });
  afterAll(async () => { await served.app.close(); });
  return {
    get app() { return served.app; },
    get world() { return served.world; },
    get key() { return served.key; },
    post: (payload) => served.app.inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/json', ...served.key }, payload }),
  };
}

/** A valid touch event of c1's campaign cmp1 (`extra` overrides or adds fields). */
export const TOUCH = (i: number, extra: Record<string, unknown> = {}) => ({ type: 'touch', event_id: `t-${i}`, touch_id: `tt-${i}`, client_id: 'c1', campaign_id: 'cmp1', ts: '2024-03-01T00:00:00Z', channel: 'email', audience: { segment: 'young_urban' }, ...extra });
