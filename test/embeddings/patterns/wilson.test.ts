import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../embeddings/patterns/wilson.ts';

describe('wilsonInterval (95%)', () => {
  // Reference values found independently of the closed form: by bisection, the p where |x/n − p| = z·√(p(1−p)/n)
  // (the inverted score test that defines the Wilson interval).
  it.each([
    [5, 10, 0.236593, 0.763407],
    [0, 10, 0, 0.277533],
    [10, 10, 0.722467, 1],
    [1, 100, 0.001767, 0.054486],
    [81, 263, 0.255289, 0.36621],
    [50, 1000, 0.03813, 0.065314],
  ])('%i of %i → [%f, %f]', (x, n, low, high) => {
    const ci = wilsonInterval(x, n);
    expect(ci.low).toBeCloseTo(low, 5);
    expect(ci.high).toBeCloseTo(high, 5);
  });

  it('is [0, 1] with no trials and narrows as the sample grows', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    const small = wilsonInterval(3, 10);
    const large = wilsonInterval(300, 1000);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(large.low).toBeLessThan(0.3);
    expect(large.high).toBeGreaterThan(0.3);
  });
});
