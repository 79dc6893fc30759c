import { describe, expect, it, vi } from 'vitest';
import { withTimeout } from '../../core/resilience/timeout.ts';

describe('withTimeout', () => {
  it('resolves with the value when the call finishes in time', async () => {
    await expect(withTimeout(async () => 42, 1000, 'redis')).resolves.toBe(42);
  });

  it('rejects with DEPENDENCY_TIMEOUT naming the dependency and aborts the signal', async () => {
    vi.useFakeTimers();
    try {
      let seen: AbortSignal | undefined;
      const p = withTimeout((signal) => {
        seen = signal;
        return new Promise<never>(() => {});
      }, 50, 'vector');
      const check = expect(p).rejects.toMatchObject({
        code: 'ALMANAC_ERR_DEPENDENCY_TIMEOUT',
        retriable: true,
        details: { dependency: 'vector', timeoutMs: 50 },
      });
      await vi.advanceTimersByTimeAsync(50);
      await check;
      expect(seen?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('passes the callee error through when it fails before the deadline', async () => {
    await expect(withTimeout(async () => { throw new Error('nope'); }, 1000, 'graph')).rejects.toThrow('nope');
  });

  it('handles a synchronous throw from the callee', async () => {
    await expect(withTimeout(() => { throw new Error('sync'); }, 1000, 'graph')).rejects.toThrow('sync');
  });

  it('rejects a non-positive budget', async () => {
    await expect(withTimeout(async () => 1, 0, 'cache')).rejects.toMatchObject({ code: 'ALMANAC_ERR_CONFIG_INVALID' });
  });
});
