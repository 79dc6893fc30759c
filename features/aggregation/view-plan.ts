/**
 * A feature view compiled for execution: windows as multiples of one step (the bucket size),
 * count/sum aggregations as slots of a contribution vector, ratios and output names resolved.
 */
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { AlmanacError } from '../../core/errors.ts';
import { featureNames, type Aggregation, type FeatureView } from '../feature-view.ts';

/** The count/sum aggregations of one `aggregations` array, evaluated once per event for every view sharing it. */
export interface ContributionGroup {
  aggregations: Aggregation[];
  /** Count/sum aggregations, in slot order. */
  slots: Extract<Aggregation, { kind: 'count' | 'sum' }>[];
  /** Scratch vector of the current event's contribution. */
  scratch: Float64Array;
  /**
   * Fixed-point scale per slot: sums are kept as integers of 1e-6 units so that they are exact and
   * independent of the order events arrive in (float addition is not associative).
   */
  scales: Float64Array;
  /** Whether the current event contributes to this group (set by `contribute`). */
  active: boolean;
}

/** Fixed-point scale of summed values (1e-6 resolution). */
export const SUM_SCALE = 1e6;

/** One output feature: a slot summed over a window, or a ratio of two slots over the same window. */
export interface OutputFeature {
  name: string;
  windowBuckets: number;
  slot: number;
  /** For ratios: the denominator slot (the numerator is `slot`). */
  denominator?: number;
}

export interface ViewPlan {
  view: FeatureView;
  stepMs: number;
  /** Largest window, in buckets (rows are emitted while this window holds any event). */
  maxBuckets: number;
  /** Distinct window sizes in buckets. */
  windowSizes: number[];
  group: ContributionGroup;
  outputs: OutputFeature[];
}

function definitionError(view: string, reason: string): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `feature view '${view}': ${reason}`, { details: { view, reason } });
}

function stepOf(view: FeatureView): number {
  const steps = new Set(view.windows.map((w) => (w.kind === 'tumbling' ? w.sizeMs : w.hopMs)));
  if (steps.size !== 1) throw definitionError(view.name, 'all windows must advance by the same step (tumbling size = sliding hop)');
  const step = [...steps][0] as number;
  for (const w of view.windows) {
    if (!(w.sizeMs > 0) || w.sizeMs % step !== 0) throw definitionError(view.name, `window size ${w.sizeMs} ms must be a positive multiple of the step ${step} ms`);
  }
  return step;
}

/** Returns the shared group for `aggregations` (by array identity), creating it once. */
function groupFor(aggregations: Aggregation[], groups: Map<Aggregation[], ContributionGroup>): ContributionGroup {
  let group = groups.get(aggregations);
  if (!group) {
    const slots = aggregations.filter((a): a is ContributionGroup['slots'][number] => a.kind !== 'ratio');
    group = { aggregations, slots, scratch: new Float64Array(slots.length), scales: Float64Array.from(slots, (a) => (a.kind === 'sum' ? SUM_SCALE : 1)), active: false };
    groups.set(aggregations, group);
  }
  return group;
}

function outputsOf(view: FeatureView, group: ContributionGroup, stepMs: number): OutputFeature[] {
  const slotOf = (name: string): number => {
    const i = group.slots.findIndex((s) => s.name === name);
    if (i < 0) throw definitionError(view.name, `ratio refers to '${name}', which is not a count or sum of the view`);
    return i;
  };
  const names = featureNames(view);
  if (new Set(names).size !== names.length) throw definitionError(view.name, 'feature names must be unique');
  let n = 0;
  return view.windows.flatMap((w) =>
    view.aggregations.map((a): OutputFeature => {
      const name = names[n++] as string;
      const windowBuckets = w.sizeMs / stepMs;
      if (a.kind === 'ratio') return { name, windowBuckets, slot: slotOf(a.numerator), denominator: slotOf(a.denominator) };
      return { name, windowBuckets, slot: slotOf(a.name) };
    }),
  );
}

/** Compiles views; views sharing an `aggregations` array share one contribution group. */
export function planViews(views: readonly FeatureView[]): ViewPlan[] {
  const groups = new Map<Aggregation[], ContributionGroup>();
  const seen = new Set<string>();
  return views.map((view) => {
    if (seen.has(view.name)) throw definitionError(view.name, 'duplicate view name');
    seen.add(view.name);
    if (view.windows.length === 0) throw definitionError(view.name, 'needs at least one window');
    if (view.allowedLatenessMs < 0 || view.ttlMs <= 0) throw definitionError(view.name, 'allowedLatenessMs must be ≥ 0 and ttlMs > 0');
    const stepMs = stepOf(view);
    const group = groupFor(view.aggregations, groups);
    const windowSizes = [...new Set(view.windows.map((w) => w.sizeMs / stepMs))];
    return { view, stepMs, maxBuckets: Math.max(...windowSizes), windowSizes, group, outputs: outputsOf(view, group, stepMs) };
  });
}

/** Fills `group.scratch` with the event's contribution; false when it contributes nothing. */
export function contribute(group: ContributionGroup, e: AlmanacEvent): boolean {
  const { slots, scratch } = group;
  let any = false;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i] as ContributionGroup['slots'][number];
    if (s.where(e)) {
      scratch[i] = s.kind === 'count' ? 1 : Math.round(s.value(e) * SUM_SCALE);
      any = true;
    } else {
      scratch[i] = 0;
    }
  }
  group.active = any;
  return any;
}
