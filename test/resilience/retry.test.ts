import { describe, expect, it, vi } from 'vitest';
import { AlmanacError } from '../../core/errors.ts';
import { backoffDelay, isRetriable, retry } from '../../core/resilience/retry.ts';

const unavailable = () => new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'redis down');

describe('retry', () => {
  it('retries retriable errors until the call succeeds, passing the 1-based attempt', async () => {
    const attempts: number[] = [];
    const value = await retry(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw unavailable();
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('rethrows a non-retriable error at once', async () => {
    const fn = vi.fn(async () => {
      throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', 'bad');
    });
    await expect(retry(fn)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('does not retry plain errors (no retriable flag)', async () => {
    const fn = vi.fn(async () => {
      throw new Error('boom');
    });
    await expect(retry(fn)).rejects.toThrow('boom');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after `retries` extra attempts and rethrows the last error', async () => {
    let n = 0;
    const delays: number[] = [];
    const err = retry(
      async () => {
        n++;
        throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `down ${n}`);
      },
      { retries: 3, onRetry: (_e, _a, d) => delays.push(d) },
    );
    await expect(err).rejects.toThrow('down 4');
    expect(n).toBe(4);
    expect(delays).toHaveLength(3);
  });

  it('keeps each delay within the full-jitter bound and honours maxMs', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const cap = Math.min(1000, 50 * 2 ** (attempt - 1));
      expect(backoffDelay(attempt, 50, 1000, () => 0)).toBe(0);
      expect(backoffDelay(attempt, 50, 1000, () => 0.999999)).toBe(cap);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, 50, 1000);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('waits the jittered delay between attempts (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const seen: number[] = [];
      const startedAt: number[] = [];
      const p = retry(
        async () => {
          startedAt.push(Date.now());
          if (startedAt.length < 3) throw unavailable();
          return startedAt.length;
        },
        { baseMs: 100, maxMs: 1000, onRetry: (_e, _a, d) => seen.push(d) },
      );
      let settled = false;
      void p.finally(() => (settled = true));
      for (let i = 0; i < 100 && !settled; i++) await vi.advanceTimersByTimeAsync(10);
      await expect(p).resolves.toBe(3);
      expect(seen).toHaveLength(2);
      expect(seen[0]).toBeLessThanOrEqual(100);
      expect(seen[1]).toBeLessThanOrEqual(200);
      // each attempt started no earlier than the delay chosen before it
      expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(seen[0]!);
      expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(seen[1]!);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops waiting when the signal aborts and rethrows the last error', async () => {
    const controller = new AbortController();
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        throw unavailable();
      },
      { baseMs: 60_000, maxMs: 60_000, retries: 10, signal: controller.signal, onRetry: () => controller.abort() },
    );
    await expect(p).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    expect(calls).toBe(1);
  });

  it('recognises retriable flags on foreign errors (e.g. kafkajs)', () => {
    expect(isRetriable(Object.assign(new Error('x'), { retriable: true }))).toBe(true);
    expect(isRetriable(new Error('x'))).toBe(false);
    expect(isRetriable(null)).toBe(false);
  });

  it('rejects a negative retries option', async () => {
    await expect(retry(async () => 1, { retries: -1 })).rejects.toMatchObject({ code: 'ALMANAC_ERR_CONFIG_INVALID' });
  });
});
