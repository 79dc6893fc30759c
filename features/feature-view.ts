/**
 * Feature views: declared in TypeScript, executed by both the stream job and the batch job
 * (one definition, two executions).
 *
 * A view aggregates events per entity over event-time windows. A window [start, end) is final
 * once the watermark passes end + allowed lateness; its row is then written to the offline store
 * (timestamp = end) and the online store. A training row at time t sees the latest final window
 * with end ≤ t, and only while t - end ≤ ttl.
 */
import type { AlmanacEvent } from '../core/domain/event.ts';

export type WindowSpec =
  | { kind: 'tumbling'; sizeMs: number }
  | { kind: 'sliding'; sizeMs: number; hopMs: number };

/** What one event contributes to an aggregate (undefined = nothing). */
export type Aggregation =
  | { name: string; kind: 'count'; where: (e: AlmanacEvent) => boolean }
  | { name: string; kind: 'sum'; where: (e: AlmanacEvent) => boolean; value: (e: AlmanacEvent) => number }
  /** A rate derived from two other aggregations of the same view (numerator / denominator, 0 when empty). */
  | { name: string; kind: 'ratio'; numerator: string; denominator: string };

export interface FeatureView {
  /** Stable name, e.g. 'client_activity'. */
  name: string;
  /** Bumped when the definition changes; recorded in model lineage. */
  version: number;
  /** Entity type, e.g. 'client', 'campaign', 'industry', 'segment'. */
  entity: string;
  /**
   * The entity key(s) an event contributes to; undefined when the event does not concern this view.
   * Non-touch events (campaign, outcome) may need state (touch → segment): see `needs`.
   */
  entityKey: (e: AlmanacEvent, ctx: EntityContext) => string | undefined;
  aggregations: Aggregation[];
  windows: WindowSpec[];
  /** How long after a window's end its values stay valid for training/serving (ms). */
  ttlMs: number;
  /** How late (ms, event time behind the partition's watermark) an event may be and still count. */
  allowedLatenessMs: number;
  description: string;
}

/** Lookups an entityKey function may need (e.g. the campaign of a touch, for its industry). */
export interface EntityContext {
  campaign(campaignId: string): { industry: string; channel: string; client_id: string } | undefined;
  /** A touch still within the attribution horizon; `channel` is the touch's own channel override, if any. */
  touch(touchId: string): { segment: string; campaign_id: string; channel?: string } | undefined;
}

/** A row of final window values: `${aggregation}_${windowLabel}` → number. */
export interface FeatureRow {
  view: string;
  /** Entity key value (e.g. the client id). */
  entity: string;
  /** Window end, epoch ms: the event time from which these values are known. */
  timestamp: number;
  values: Record<string, number>;
}

/** Label of a window for feature names: 86_400_000 → '1d', 3_600_000 → '1h'. */
export function windowLabel(w: WindowSpec): string {
  const ms = w.sizeMs;
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms}ms`;
}

/** Names of the features a view produces, in a fixed order. */
export function featureNames(view: FeatureView): string[] {
  return view.windows.flatMap((w) => view.aggregations.map((a) => `${a.name}_${windowLabel(w)}`));
}
