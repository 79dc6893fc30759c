/**
 * THE aggregation engine, executed identically by the stream job and the batch job.
 *
 * - Windows by event time (UTC buckets of each view's step); one row per (view, entity, window end).
 * - Watermark per partition = the event time that at least `watermarkSupport` (default 3) of its
 *   events reach, − out-of-orderness, never moving back. With support 1 that is the max event time
 *   seen; with 3, one or two events far ahead of the rest of their partition (a stray clock, or a
 *   hostile ts inside the edge's skew bound, `events.maxFutureSkewMs`) do not move it, so they cannot
 *   make every later event of the partition's clients late. An event is late for a view when its
 *   first window's end + the view's allowed lateness ≤ its own partition's watermark, or when that
 *   window was already emitted; late events are dropped and counted per view and by reason
 *   (`behind_watermark`, `window_emitted`). A row is final, and emitted, once the minimum watermark
 *   over the registered partitions passes its end + allowed lateness.
 * - Dedupe by (client_id, event_id) per partition, remembering ids only while their windows can still change.
 * Aggregates are exact commutative sums, so the rows do not depend on how partitions interleave.
 *
 * Idle partitions: when a job has read every partition to its end (caught up), partitions with
 * nothing more to read no longer hold emission back — `drain({ caughtUp: true })` uses the most
 * advanced partition's watermark (Flink's idleness, decided at end of input so that the stream job,
 * once caught up, and the backfill, at the end of its replay, emit the same rows). Otherwise a
 * client whose campaigns ended would freeze every cross-client view at its last event. An event that
 * later arrives in such a partition for an already emitted window is dropped as late and counted.
 *
 * Caveat (empty partitions): the jobs register the partitions that hold data when they start (and
 * as they grow). If a partition that was EMPTY receives its first events after rows were already
 * emitted, those events cannot reopen emitted windows: they are dropped as late (guard on the
 * view's emitted frontier) and the stream can then differ from a later backfill, which sees that
 * partition from the start. With clients as keys, partitions are rarely empty for long.
 */
import { eventIdentity, type AlmanacEvent } from '../../core/domain/event.ts';
import type { FeatureRow, FeatureView } from '../feature-view.ts';
import { FEATURE_VIEWS } from '../views/index.ts';
import { PartitionState, type PartitionSnapshot } from './partition-state.ts';
import { contribute, planViews, type ViewPlan } from './view-plan.ts';
import { ViewState, type ViewStateSnapshot } from './view-state.ts';

export interface EngineOptions {
  views?: readonly FeatureView[];
  /** Subtracted from a partition's max event time to form its watermark (ms). Default 5 min. */
  outOfOrdernessMs?: number;
  /**
   * How many events of a partition must reach an event time before its watermark follows (≥ 1).
   * Default 3: one or two outliers ahead of the rest never advance it.
   */
  watermarkSupport?: number;
  /** How long (ms of event time) a touch is remembered for its outcomes (segment, channel): the attribution horizon. Default 8 d. */
  touchHorizonMs?: number;
}

export interface EngineStats {
  /** Records offered (including duplicates and unparseable ones). */
  records: number;
  /** Distinct events processed. */
  events: number;
  duplicates: number;
  /** Records that were not JSON of an event (skipped). */
  invalid: number;
  /** Events dropped as too late, per view. */
  late: Record<string, number>;
  /**
   * Why, summed over views: `behind_watermark` — the event's window had closed for its partition's
   * watermark (arrived after end + allowed lateness); `window_emitted` — the window's row was already
   * final and written (possible after an idle partition stopped holding emission back).
   */
  lateReasons: Record<LateReason, number>;
  /** Final rows emitted. */
  rows: number;
}

export type LateReason = 'behind_watermark' | 'window_emitted';

export interface EngineSnapshot {
  format: 3;
  views: { name: string; version: number }[];
  partitions: PartitionSnapshot[];
  registered: number[] | null;
  viewStates: Record<string, ViewStateSnapshot>;
  stats: EngineStats;
}

const DAY_MS = 86_400_000;

export class AggregationEngine {
  readonly plans: ViewPlan[];
  private readonly states: ViewState[];
  private readonly partitions = new Map<number, PartitionState>();
  private lastPartition: PartitionState | undefined;
  private registered: number[] | undefined;
  private readonly outOfOrderness: number;
  private readonly support: number;
  private readonly touchHorizon: number;
  private readonly dedupeHorizon: number;
  private readonly groups: ViewPlan['group'][];
  readonly stats: EngineStats;

  constructor(options: EngineOptions = {}, snapshot?: EngineSnapshot) {
    this.plans = planViews(options.views ?? FEATURE_VIEWS);
    this.outOfOrderness = options.outOfOrdernessMs ?? 300_000;
    this.support = Math.max(1, Math.floor(options.watermarkSupport ?? 3));
    this.touchHorizon = options.touchHorizonMs ?? 8 * DAY_MS;
    this.dedupeHorizon = Math.max(...this.plans.map((p) => p.stepMs + p.view.allowedLatenessMs)) + this.outOfOrderness;
    this.groups = [...new Set(this.plans.map((p) => p.group))];
    this.states = this.plans.map((p) => new ViewState(p, snapshot?.viewStates[p.view.name]));
    this.stats = snapshot ? structuredClone(snapshot.stats) : { records: 0, events: 0, duplicates: 0, invalid: 0, late: {}, lateReasons: { behind_watermark: 0, window_emitted: 0 }, rows: 0 };
    for (const p of this.plans) this.stats.late[p.view.name] ??= 0;
    for (const ps of snapshot?.partitions ?? []) this.partitions.set(ps.partition, new PartitionState(ps.partition, ps));
    this.registered = snapshot?.registered ?? undefined;
  }

  /** Views (name, version) this engine runs; a checkpoint only fits an engine with the same list. */
  viewVersions(): { name: string; version: number }[] {
    return this.plans.map((p) => ({ name: p.view.name, version: p.view.version }));
  }

  /**
   * The partitions whose watermarks gate emission (all partitions that hold data). A registered
   * partition with no event yet holds emission back. Without registration, every partition seen counts.
   */
  setPartitions(partitions: number[]): void {
    this.registered = [...new Set([...(this.registered ?? []), ...partitions])].sort((a, b) => a - b);
  }

  /** Parses and processes one log record; returns the event when it was new (not a duplicate or invalid). */
  processRecord(partition: number, value: string): AlmanacEvent | undefined {
    let e: AlmanacEvent;
    try {
      e = JSON.parse(value) as AlmanacEvent;
    } catch {
      this.stats.records++;
      this.stats.invalid++;
      return undefined;
    }
    return this.processEvent(partition, e) ? e : undefined;
  }

  /** Processes one event of `partition`; false when it was a duplicate or not an event. */
  processEvent(partition: number, e: AlmanacEvent): boolean {
    this.stats.records++;
    if (typeof e !== 'object' || e === null || typeof e.ts !== 'number' || typeof e.event_id !== 'string' || typeof e.client_id !== 'string') {
      this.stats.invalid++;
      return false;
    }
    const ps = this.partition(partition);
    if (!ps.seen.add(eventIdentity(e), e.ts + this.dedupeHorizon)) {
      this.stats.duplicates++;
      return false;
    }
    const wm = ps.observe(e.ts, this.support, this.outOfOrderness);
    ps.evict(wm);
    this.stats.events++;
    this.updateDimensions(ps, e);
    this.aggregate(ps, e, wm);
    return true;
  }

  private partition(p: number): PartitionState {
    // records come in runs of one partition: remember the last one
    if (this.lastPartition?.partition === p) return this.lastPartition;
    let ps = this.partitions.get(p);
    if (!ps) {
      ps = new PartitionState(p);
      this.partitions.set(p, ps);
    }
    this.lastPartition = ps;
    return ps;
  }

  private updateDimensions(ps: PartitionState, e: AlmanacEvent): void {
    if (e.type === 'campaign') ps.campaigns.set(e.campaign_id, { industry: e.industry, channel: e.channel, client_id: e.client_id });
    else if (e.type === 'touch') ps.addTouch(e.touch_id, e.campaign_id, e.audience.segment, e.channel, e.ts + this.touchHorizon);
  }

  private aggregate(ps: PartitionState, e: AlmanacEvent, wm: number): void {
    for (const g of this.groups) contribute(g, e);
    for (let i = 0; i < this.plans.length; i++) {
      const plan = this.plans[i] as ViewPlan;
      if (!plan.group.active) continue;
      const entity = plan.view.entityKey(e, ps);
      if (entity === undefined) continue;
      const state = this.states[i] as ViewState;
      const bucket = Math.floor(e.ts / plan.stepMs);
      const behind = (bucket + 1) * plan.stepMs + plan.view.allowedLatenessMs <= wm;
      if (behind || bucket + 1 <= state.frontier) {
        this.stats.late[plan.view.name] = (this.stats.late[plan.view.name] ?? 0) + 1;
        this.stats.lateReasons[behind ? 'behind_watermark' : 'window_emitted']++;
        continue;
      }
      state.add(entity, bucket, plan.group.scratch);
    }
  }

  /** Minimum watermark over the registered (or seen) partitions, epoch ms; -Infinity before data. */
  watermark(): number {
    const ids = this.registered ?? [...this.partitions.keys()];
    if (ids.length === 0) return -Infinity;
    let min = Infinity;
    for (const p of ids) {
      const ps = this.partitions.get(p);
      const wm = ps ? ps.watermark : -Infinity;
      if (wm < min) min = wm;
    }
    return min;
  }

  /** Maximum watermark over the partitions seen, epoch ms; -Infinity before data. */
  maxWatermark(): number {
    let max = -Infinity;
    for (const ps of this.partitions.values()) max = Math.max(max, ps.watermark);
    return max;
  }

  /**
   * Emits every row made final by the current watermark, ordered by view, entity, timestamp.
   * @param options.caughtUp - every partition has been read to its end: idle partitions do not hold
   *   the watermark back (the most advanced partition's watermark is used).
   */
  drain(options: { caughtUp?: boolean } = {}): FeatureRow[] {
    const wm = options.caughtUp ? this.maxWatermark() : this.watermark();
    const out: FeatureRow[] = [];
    if (Number.isFinite(wm)) {
      for (let i = 0; i < this.plans.length; i++) {
        const plan = this.plans[i] as ViewPlan;
        (this.states[i] as ViewState).advance(Math.floor((wm - plan.view.allowedLatenessMs) / plan.stepMs), out);
      }
    }
    out.sort(compareRows);
    this.stats.rows += out.length;
    return out;
  }

  /** Open state size (for progress and memory checks). */
  openState(): { entities: number; ids: number; touches: number } {
    let ids = 0;
    let touches = 0;
    for (const ps of this.partitions.values()) {
      ids += ps.seen.size;
      touches += ps.touches.size;
    }
    return { entities: this.states.reduce((n, s) => n + s.openEntities, 0), ids, touches };
  }

  /** Everything needed to continue exactly where this engine is (JSON-serialisable). */
  snapshot(): EngineSnapshot {
    return {
      format: 3,
      views: this.viewVersions(),
      partitions: [...this.partitions.values()].map((p) => p.toJSON()),
      registered: this.registered ?? null,
      viewStates: Object.fromEntries(this.states.map((s) => [s.plan.view.name, s.toJSON()])),
      stats: structuredClone(this.stats),
    };
  }

  /** True when `snapshot` was taken by an engine running the same views and versions. */
  fits(snapshot: EngineSnapshot): boolean {
    return snapshot.format === 3 && JSON.stringify(snapshot.views) === JSON.stringify(this.viewVersions());
  }
}

export function compareRows(a: FeatureRow, b: FeatureRow): number {
  if (a.view !== b.view) return a.view < b.view ? -1 : 1;
  if (a.entity !== b.entity) return a.entity < b.entity ? -1 : 1;
  return a.timestamp - b.timestamp;
}
