/**
 * Closing the app while requests are being answered: the stores close after those answers, so a
 * search in flight at shutdown is answered whole (full, with graph evidence), not degraded by a
 * store closed under it.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../serving/app.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, fakeGraph, PLAN } from './serving-fakes.ts';

describe('closing the server', () => {
  it('waits for a search in flight before the stores close', async () => {
    let closed = false;
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inGraph = new Promise<void>((r) => { entered = r; });
    const world = await fakeDeps({
      graph: fakeGraph({
        patternEvidence: async () => {
          entered();
          await new Promise<void>((r) => { release = r; });
          if (closed) throw new Error('the graph store is not open');
          return new Map();
        },
      }),
      close: async () => { closed = true; },
    });
    // the graph's timeout out of the way: the search waits for the evidence as long as it takes
    world.deps.config.serving.timeouts.graph = 5_000;
    const app = await buildApp(world.deps, { poll: false });
    const answer = app.inject({ method: 'POST', url: '/v1/patterns/search', headers: { 'content-type': 'application/json', ...bearer(world.keys.byClient.c1!) }, payload: { plan: PLAN } });
    await inGraph;
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false); // still answering: the stores stay open
    release();
    const res = await answer;
    await closing;
    expect(closed).toBe(true);
    expect(res.statusCode).toBe(200);
    expect(res.json().served_by).toBe('full');
  });
});
