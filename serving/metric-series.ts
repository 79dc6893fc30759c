/**
 * Hot-path handles on labelled prom-client series. A labelled child of prom-client validates and
 * hashes its labels again on every observe()/inc() (~1.3 µs / ~0.7 µs per call here, several per
 * request); these handles record their first value through prom-client, then find the value
 * prom-client stores for the series and update it in place — /metrics reports the same numbers.
 * They fall back to prom-client's own call for every value when the stored shape is not what is
 * checked here (another prom-client version), after a reset, and for values prom-client refuses.
 */
import type { Counter, Histogram } from 'prom-client';

export interface ObserveSeries {
  /** Records one value (for latencies: seconds). @throws TypeError (prom-client's) for a non-finite value */
  observe(value: number): void;
  /** Whether values are now recorded in place (false before the first one, or when falling back). */
  readonly inPlace: boolean;
}

export interface CountSeries {
  /** Adds one. */
  inc(): void;
  /** Whether increments are now recorded in place (false before the first one, or when falling back). */
  readonly inPlace: boolean;
}

type Labels = Record<string, string | number>;
interface Stored { labels: Labels }
interface StoredHistogram extends Stored { sum: number; count: number; bucketValues: Record<string, number> }
interface StoredCounter extends Stored { value: number }
interface Internals { hashMap?: Record<string, Stored | undefined>; upperBounds?: readonly number[] }

const sameLabels = (a: Labels | undefined, b: Labels): boolean => {
  if (typeof a !== 'object' || a === null) return false;
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  for (const k of keys) if (String(a[k]) !== String(b[k])) return false;
  return true;
};

/** Where prom-client keeps the series of `labels`: its key in the metric's map and the value object. */
function locate<S extends Stored>(internals: Internals, labels: Labels, valid: (s: Stored) => s is S): { key: string; stored: S } | undefined {
  const map = internals.hashMap;
  if (typeof map !== 'object' || map === null) return undefined;
  for (const key of Object.keys(map)) {
    const stored = map[key];
    if (stored !== undefined && sameLabels(stored.labels, labels)) return valid(stored) ? { key, stored } : undefined;
  }
  return undefined;
}

/** A histogram series of `labels`, observed in place after its first value. */
export function histogramSeries<L extends string>(histogram: Histogram<L>, labels: Record<L, string | number>): ObserveSeries {
  const child = histogram.labels(labels);
  const internals = histogram as unknown as Internals;
  const bounds = Array.isArray(internals.upperBounds) ? [...internals.upperBounds] : [];
  const bucketKeys = bounds.map(String);
  const valid = (s: Stored): s is StoredHistogram => {
    const h = s as Partial<StoredHistogram>;
    return bounds.length > 0 && typeof h.sum === 'number' && typeof h.count === 'number' && typeof h.bucketValues === 'object' && h.bucketValues !== null
      && bucketKeys.every((k) => typeof h.bucketValues?.[k] === 'number');
  };
  let key = '';
  let stored: StoredHistogram | undefined;
  let fallback = false;
  return {
    get inPlace() { return stored !== undefined && internals.hashMap?.[key] === stored; },
    observe(value) {
      if (stored !== undefined && internals.hashMap?.[key] === stored && Number.isFinite(value)) {
        stored.sum += value;
        stored.count += 1;
        for (let i = 0; i < bounds.length; i++) {
          if (value <= (bounds[i] as number)) {
            const bucket = bucketKeys[i] as string;
            stored.bucketValues[bucket] = (stored.bucketValues[bucket] as number) + 1;
            break;
          }
        }
        return;
      }
      child.observe(value);
      if (fallback) return;
      const found = locate(internals, labels, valid);
      key = found?.key ?? '';
      stored = found?.stored;
      fallback = stored === undefined; // not the shape checked here: prom-client's call from now on
    },
  };
}

/** A counter series of `labels`, incremented in place after its first increment. */
export function counterSeries<L extends string>(counter: Counter<L>, labels: Record<L, string | number>): CountSeries {
  const child = counter.labels(labels);
  const internals = counter as unknown as Internals;
  const valid = (s: Stored): s is StoredCounter => typeof (s as Partial<StoredCounter>).value === 'number';
  let key = '';
  let stored: StoredCounter | undefined;
  let fallback = false;
  return {
    get inPlace() { return stored !== undefined && internals.hashMap?.[key] === stored; },
    inc() {
      if (stored !== undefined && internals.hashMap?.[key] === stored) {
        stored.value += 1;
        return;
      }
      child.inc();
      if (fallback) return;
      const found = locate(internals, labels, valid);
      key = found?.key ?? '';
      stored = found?.stored;
      fallback = stored === undefined; // not the shape checked here: prom-client's call from now on
    },
  };
}
