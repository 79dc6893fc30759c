import { pct } from '../format.ts';

/**
 * A rate in [0, 1] as a horizontal bar with its 95% interval as a whisker; `max` scales the bars of a
 * list alike (the largest upper bound, so the whiskers fit). Screen readers get the figures.
 */
export function RateBar({ rate, interval, max = 1, label }: { rate: number; interval?: readonly [number, number] | null; max?: number; label: string }) {
  const scale = (x: number) => `${Math.max(0, Math.min(100, (x / (max > 0 ? max : 1)) * 100))}%`;
  const text = `${label}: ${pct(rate)}${interval ? `, 95% interval ${pct(interval[0])} to ${pct(interval[1])}` : ''}`;
  return (
    <div class="rate-bar" role="img" aria-label={text} title={text}>
      <div class="rate-bar-fill" style={{ width: scale(rate) }} />
      {interval && <div class="rate-bar-ci" style={{ left: scale(interval[0]), width: `calc(${scale(interval[1])} - ${scale(interval[0])})` }} />}
    </div>
  );
}

/** A plain proportion bar (e.g. a segment's probability next to the others'). */
export function ShareBar({ value, max, label }: { value: number; max: number; label: string }) {
  const w = `${Math.max(0, Math.min(100, (value / (max > 0 ? max : 1)) * 100))}%`;
  return <div class="rate-bar" role="img" aria-label={label} title={label}><div class="rate-bar-fill" style={{ width: w }} /></div>;
}
