/**
 * Campaign worlds with known success patterns, for the pattern miner's benchmark and tests (issue 9):
 * labelled touches keyed like real training sets, plus what was planted in them.
 */
import type { FeatureColumn, TrainingExample } from '../../features/training-set.ts';

export const DAY_MS = 86_400_000;

/** A combination of plan choices whose touches convert differently from the rest. */
export interface PlantedPattern {
  id: string;
  /** Condition key (a role name, or an audience feature name such as `audience.age_band`) → value. */
  conditions: Record<string, string>;
  /** The clients that run it (have touches matching every condition), sorted. */
  clients: string[];
  /** Conversion multiplier of matching touches within those clients (the simulator: its rate over the world base). */
  lift: number;
}

export interface PatternWorld {
  generator: 'simulator' | 'worldgen2';
  seed: number;
  /** In ts order (ties by touch_id); label 0|1; features keyed like real training sets. */
  examples: TrainingExample[];
  /** Manifest columns: every feature name with its type and source. */
  columns: FeatureColumn[];
  clients: { id: string; industry: string }[];
  /** Cross-client success patterns (each run by ≥ 4 clients of its industry). */
  planted: PlantedPattern[];
  /** Success patterns run by exactly one client (huge lift): must never reach other clients. */
  singleClient: PlantedPattern[];
  /** Anti-patterns (significantly worse than base), run by ≥ 4 clients. */
  anti: PlantedPattern[];
  /** Combinations with a moderate lift backed by 1–2 clients on small samples: not real patterns (worldgen2 only). */
  noise?: PlantedPattern[];
  /** Values a plan may take per condition key (for building random "rest of the plan" choices). */
  domain: Record<string, string[]>;
}

/** The feature a role-named condition key reads; other keys (e.g. `audience.age_band`) are feature names already. */
export const CONDITION_FEATURE: Readonly<Record<string, string>> = Object.freeze({
  industry: 'campaign.industry',
  channel: 'campaign.channel',
  objective: 'campaign.objective',
  offer: 'campaign.offer',
  creative: 'campaign.creative',
  segment: 'audience.segment',
});

/** The feature name of a condition key. */
export function conditionFeature(key: string): string {
  return CONDITION_FEATURE[key] ?? key;
}

/** Whether an example satisfies every condition of a pattern. */
export function matchesConditions(example: TrainingExample, conditions: Record<string, string>): boolean {
  for (const key in conditions) if (example.features[conditionFeature(key)] !== conditions[key]) return false;
  return true;
}

/** Manifest columns of a list of feature names (view features `<view>.<feature>` numeric, their source `view:<view>`). */
export function columnsOf(categorical: readonly string[], numeric: readonly string[]): FeatureColumn[] {
  return [
    ...categorical.map((name): FeatureColumn => ({ name, type: 'categorical', source: sourceOf(name) })),
    ...numeric.map((name): FeatureColumn => ({ name, type: 'numeric', source: sourceOf(name) })),
  ];
}

function sourceOf(name: string): string {
  const prefix = name.slice(0, name.indexOf('.'));
  if (prefix === 'campaign' || prefix === 'touch') return prefix;
  if (prefix === 'audience' || prefix === 'time') return 'touch';
  return `view:${prefix}`;
}

/** One touch as the view-like numeric needs it: its campaign, time, and first observed conversion (if any). */
export interface ConversionTrace {
  campaign: number;
  ts: number;
  /** Epoch ms of the touch's conversion event, or null (none, or not observed by the end of the log). */
  conversionTs: number | null;
}

/**
 * `campaign_performance.conversion_rate_7d`-like values, point-in-time correct: for a touch on day d,
 * the campaign's conversions (by conversion time) over its touches in days [d − 7, d); null without touches there.
 */
export function conversionRate7d(traces: readonly ConversionTrace[], start: number, campaigns: number): (number | null)[] {
  let end = start;
  for (const t of traces) end = Math.max(end, t.ts, t.conversionTs ?? 0);
  const days = Math.floor((end - start) / DAY_MS) + 2;
  const touches = new Float64Array(campaigns * days);
  const conversions = new Float64Array(campaigns * days);
  for (const t of traces) {
    touches[t.campaign * days + dayOf(t.ts, start)]! += 1;
    if (t.conversionTs !== null) conversions[t.campaign * days + dayOf(t.conversionTs, start)]! += 1;
  }
  return traces.map((t) => {
    const d = dayOf(t.ts, start);
    let n = 0;
    let k = 0;
    for (let i = Math.max(0, d - 7); i < d; i++) {
      n += touches[t.campaign * days + i]!;
      k += conversions[t.campaign * days + i]!;
    }
    return n > 0 ? Math.round((k / n) * 1e5) / 1e5 : null;
  });
}

function dayOf(ts: number, start: number): number {
  return Math.max(0, Math.floor((ts - start) / DAY_MS));
}

/** Sorts examples by ts, ties by touch_id (the training-set order). */
export function byTouchTime(a: TrainingExample, b: TrainingExample): number {
  return a.ts - b.ts || (a.touch_id < b.touch_id ? -1 : a.touch_id > b.touch_id ? 1 : 0);
}
