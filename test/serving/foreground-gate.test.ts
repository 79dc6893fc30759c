/**
 * Interactive requests first (serving/foreground-gate.ts): bulk work waits for a gap between
 * predict and search requests, at most its maximum wait; with none in flight it goes at the loop's
 * next turn.
 */
import { describe, expect, it } from 'vitest';
import { ForegroundGate } from '../../serving/foreground-gate.ts';

const settled = async (p: Promise<void>, ms: number): Promise<boolean> => {
  let done = false;
  void p.then(() => { done = true; });
  await new Promise((r) => setTimeout(r, ms));
  return done;
};

describe('the foreground gate', () => {
  it('lets bulk work go at once when no interactive request is in flight', async () => {
    const gate = new ForegroundGate();
    expect(await settled(gate.idle(1_000), 5)).toBe(true);
  });

  it('holds it while interactive requests are answered, and lets it go when the last one leaves', async () => {
    const gate = new ForegroundGate();
    gate.enter();
    gate.enter();
    const waiting = gate.idle(10_000);
    expect(await settled(waiting, 20)).toBe(false);
    gate.leave();
    expect(await settled(waiting, 20)).toBe(false); // one still in flight
    gate.leave();
    expect(await settled(waiting, 20)).toBe(true);
    expect(gate.inFlight).toBe(0);
  });

  it('never holds it longer than its maximum wait, under a load that never pauses', async () => {
    const gate = new ForegroundGate();
    gate.enter();
    const started = performance.now();
    await gate.idle(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(gate.inFlight).toBe(1);
    gate.leave(); // a waiter that timed out is not called again
    gate.leave(); // more leaves than enters stay at 0
    expect(gate.inFlight).toBe(0);
  });
});
