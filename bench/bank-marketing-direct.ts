/**
 * Dev loader: the UCI bank-marketing CSV straight into an in-memory TrainingSet (no pipeline),
 * with point-in-time rolling conversion rates emulated (windows of whole days strictly before the
 * touch's day), to see what the model can reach. `duration` is never used.
 */
import { readFileSync } from 'node:fs';
import type { FeatureColumn, FeatureRecord, TrainingExample, TrainingSet } from '../features/training-set.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = 86_400_000;
const NUMERIC = new Set(['age', 'balance', 'campaign', 'pdays', 'previous', 'day']);
const CATEGORICAL = ['job', 'marital', 'education', 'default', 'housing', 'loan', 'contact', 'poutcome', 'month'];

interface Row { values: Record<string, string>; ts: number; day: number; label: 0 | 1 }

function parseRows(file: string): Row[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = (lines[0] as string).split(';').map((h) => h.replaceAll('"', ''));
  let year = 2008;
  let lastMonth = 4;
  return lines.slice(1).map((line) => {
    const cells = line.split(';').map((c) => c.replaceAll('"', ''));
    const values = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    const month = MONTHS.indexOf(values.month as string);
    if (month < lastMonth) year++;
    lastMonth = month;
    const ts = Date.UTC(year, month, Number(values.day), 12);
    return { values, ts, day: Math.floor(ts / DAY), label: values.y === 'yes' ? 1 : 0 };
  });
}

/** Rolling touches and conversion rate per key over whole days before the touch's day. */
function rollingRates(rows: Row[], keyOf: (r: Row) => string, windows: number[], prefix: string): FeatureRecord[] {
  const daily = new Map<string, Map<number, [number, number]>>();
  for (const r of rows) {
    const k = keyOf(r);
    const m = daily.get(k) ?? new Map<number, [number, number]>();
    const cell = m.get(r.day) ?? [0, 0];
    cell[0]++;
    cell[1] += r.label;
    m.set(r.day, cell);
    daily.set(k, m);
  }
  return rows.map((r) => {
    const m = daily.get(keyOf(r)) as Map<number, [number, number]>;
    const out: FeatureRecord = {};
    for (const w of windows) {
      let n = 0;
      let pos = 0;
      for (let d = r.day - w; d < r.day; d++) {
        const c = m.get(d);
        if (c) { n += c[0]; pos += c[1]; }
      }
      out[`${prefix}_touches_${w}d`] = n;
      out[`${prefix}_conversion_rate_${w}d`] = n > 0 ? pos / n : null;
    }
    return out;
  });
}

export function loadBankDirect(file: string, options: { rolling?: boolean } = {}): TrainingSet {
  const rows = parseRows(file);
  const rolling = options.rolling !== false;
  const windows = [1, 7, 28];
  const extras = rolling
    ? [rollingRates(rows, () => 'all', windows, 'bank'), rollingRates(rows, (r) => r.values.contact as string, windows, 'channel'), rollingRates(rows, (r) => r.values.job as string, windows, 'segment')]
    : [];
  const examples: TrainingExample[] = rows.map((r, i) => {
    const features: FeatureRecord = {};
    for (const n of NUMERIC) features[n] = Number(r.values[n]);
    for (const c of CATEGORICAL) features[c] = r.values[c] === 'unknown' ? null : (r.values[c] as string);
    for (const e of extras) Object.assign(features, e[i]);
    return { touch_id: `t${i}`, client_id: 'bank', campaign_id: 'c', ts: r.ts, label: r.label, features };
  });
  const first = examples[0]?.features ?? {};
  const columns: FeatureColumn[] = Object.keys(first).map((name) => ({ name, type: CATEGORICAL.includes(name) ? 'categorical' : 'numeric', source: 'touch' }));
  return {
    manifest: {
      id: `bank-direct-${rolling ? 'rolling' : 'raw'}`, createdAt: new Date().toISOString(),
      range: { from: examples[0]?.ts ?? 0, to: (examples.at(-1)?.ts ?? 0) + 1 }, rows: examples.length,
      positives: examples.filter((e) => e.label === 1).length, attributionWindowMs: 0, columns, featureViews: [], eventLogOffsets: {}, file: '',
    },
    examples,
  };
}
