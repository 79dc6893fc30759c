import { describe, expect, it } from 'vitest';
import { AlmanacError } from '../../core/errors.ts';
import { CircuitBreaker, type CircuitState } from '../../core/resilience/circuit-breaker.ts';

const down = async (): Promise<never> => {
  throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'down');
};

function breaker(threshold = 3, resetMs = 1000) {
  let t = 0;
  const changes: CircuitState[] = [];
  const b = new CircuitBreaker({ name: 'redis', failureThreshold: threshold, resetMs, now: () => t, onStateChange: (s) => changes.push(s) });
  return { b, changes, advance: (ms: number) => (t += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive transient failures and then fails fast', async () => {
    const { b } = breaker(3);
    for (let i = 0; i < 3; i++) await expect(b.exec(down)).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    expect(b.state).toBe('open');
    let called = false;
    await expect(b.exec(async () => { called = true; })).rejects.toMatchObject({ code: 'ALMANAC_ERR_CIRCUIT_OPEN', retriable: true, details: { dependency: 'redis' } });
    expect(called).toBe(false);
  });

  it('a success in between resets the consecutive count', async () => {
    const { b } = breaker(3);
    await expect(b.exec(down)).rejects.toThrow();
    await expect(b.exec(down)).rejects.toThrow();
    await b.exec(async () => 1);
    await expect(b.exec(down)).rejects.toThrow();
    await expect(b.exec(down)).rejects.toThrow();
    expect(b.state).toBe('closed');
  });

  it('non-retriable errors do not count', async () => {
    const { b } = breaker(1);
    const bad = async () => { throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', 'bad'); };
    for (let i = 0; i < 5; i++) await expect(b.exec(bad)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    expect(b.state).toBe('closed');
  });

  it('goes open → half-open after resetMs → closed on a successful trial', async () => {
    const { b, changes, advance } = breaker(2, 1000);
    await expect(b.exec(down)).rejects.toThrow();
    await expect(b.exec(down)).rejects.toThrow();
    advance(999);
    expect(b.state).toBe('open');
    advance(1);
    expect(b.state).toBe('half-open');
    await expect(b.exec(async () => 'back')).resolves.toBe('back');
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed trial opens the circuit again for another resetMs', async () => {
    const { b, changes, advance } = breaker(2, 1000);
    await expect(b.exec(down)).rejects.toThrow();
    await expect(b.exec(down)).rejects.toThrow();
    advance(1000);
    await expect(b.exec(down)).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    expect(b.state).toBe('open');
    advance(500);
    await expect(b.exec(async () => 1)).rejects.toMatchObject({ code: 'ALMANAC_ERR_CIRCUIT_OPEN' });
    advance(500);
    await expect(b.exec(async () => 1)).resolves.toBe(1);
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('lets only one trial through while half-open', async () => {
    const { b, advance } = breaker(1, 10);
    await expect(b.exec(down)).rejects.toThrow();
    advance(10);
    let release!: () => void;
    const trial = b.exec(() => new Promise<void>((r) => { release = r; }));
    await expect(b.exec(async () => 1)).rejects.toMatchObject({ code: 'ALMANAC_ERR_CIRCUIT_OPEN' });
    release();
    await trial;
    expect(b.state).toBe('closed');
  });

  it('rejects invalid options', () => {
    expect(() => new CircuitBreaker({ name: 'x', failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => new CircuitBreaker({ name: 'x', resetMs: 0 })).toThrow(/resetMs/);
  });
});
