import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/seeded-random.ts';
import { counterSeries, histogramSeries } from '../../serving/metric-series.ts';

const BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

function pair() {
  const make = () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: 'lat_seconds', help: 'h', labelNames: ['dependency', 'outcome'], buckets: BUCKETS, registers: [registry] });
    const counter = new Counter({ name: 'calls_total', help: 'c', labelNames: ['result'], registers: [registry] });
    return { registry, histogram, counter };
  };
  return { fast: make(), reference: make() };
}

describe('histogramSeries / counterSeries', () => {
  it('export exactly what prom-client own observe()/inc() export, across label sets and a reset', async () => {
    const { fast, reference } = pair();
    const random = seededRandom(7);
    const labelSets = [{ dependency: 'cache', outcome: 'ok' }, { dependency: 'cache', outcome: 'timeout' }, { dependency: 'vector', outcome: 'ok' }];
    const series = labelSets.map((l) => histogramSeries(fast.histogram, l));
    const counts = [counterSeries(fast.counter, { result: 'hit' }), counterSeries(fast.counter, { result: 'miss' })];
    const values = [0, -1, ...BUCKETS, 2, 1e9, 0.00049999, 0.0005000001];
    for (let i = 0; i < 3000; i++) {
      if (i === 1500) {
        fast.histogram.reset(); reference.histogram.reset(); fast.counter.reset(); reference.counter.reset();
      }
      const k = i % labelSets.length;
      const v = i < values.length ? (values[i] as number) : random() * random() * 0.3;
      series[k]?.observe(v);
      reference.histogram.observe(labelSets[k] as { dependency: string; outcome: string }, v);
      counts[i % 2]?.inc();
      reference.counter.inc({ result: i % 2 === 0 ? 'hit' : 'miss' });
    }
    expect(series.every((s) => s.inPlace) && counts.every((c) => c.inPlace)).toBe(true); // the fast path was the one taken
    expect(await fast.registry.metrics()).toBe(await reference.registry.metrics());
  });

  it('refuses a non-finite value as prom-client does', () => {
    const { fast } = pair();
    const s = histogramSeries(fast.histogram, { dependency: 'cache', outcome: 'ok' });
    s.observe(0.001);
    expect(() => s.observe(Number.NaN)).toThrow(TypeError);
    expect(() => s.observe(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });

  it("uses the metric's own call for every value when its stored series is not the expected shape", () => {
    const observed: number[] = [];
    let incs = 0;
    const histogram = { labels: () => ({ observe: (v: number) => observed.push(v) }), hashMap: { x: { labels: { a: '1' }, sum: 'odd' } } };
    const counter = { labels: () => ({ inc: () => { incs++; } }) };
    const h = histogramSeries(histogram as unknown as Histogram<'a'>, { a: '1' });
    const c = counterSeries(counter as unknown as Counter<'a'>, { a: '1' });
    for (let i = 0; i < 5; i++) { h.observe(i); c.inc(); }
    expect(observed).toEqual([0, 1, 2, 3, 4]);
    expect(incs).toBe(5);
    expect(h.inPlace || c.inPlace).toBe(false);
  });
});
