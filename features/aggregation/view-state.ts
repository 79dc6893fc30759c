/**
 * Open windows of one view: per entity, one bucket (a contribution vector) per step of event
 * time. A row at bucket boundary k (timestamp k·step) holds every window ending there, summed
 * from the buckets [k − size, k); it exists while the largest window holds any event.
 */
import type { FeatureRow } from '../feature-view.ts';
import type { ViewPlan } from './view-plan.ts';

interface EntityWindows {
  buckets: Map<number, Float64Array>;
  /** Next row boundary (bucket index) not emitted yet. */
  nextEmit: number;
  lastBucket: number;
  lastVector: Float64Array | undefined;
}

export interface ViewStateSnapshot {
  frontier: number | null;
  entities: [string, number, [number, number[]][]][];
}

export class ViewState {
  private readonly entities = new Map<string, EntityWindows>();
  /** Last emitted row boundary (bucket index); rows ≤ frontier are final. */
  frontier = -Infinity;

  constructor(readonly plan: ViewPlan, snapshot?: ViewStateSnapshot) {
    if (snapshot) this.restore(snapshot);
  }

  get openEntities(): number {
    return this.entities.size;
  }

  /** Adds a contribution vector to the entity's bucket. */
  add(entity: string, bucket: number, contribution: Float64Array): void {
    let ew = this.entities.get(entity);
    if (!ew) {
      ew = { buckets: new Map(), nextEmit: bucket + 1, lastBucket: NaN, lastVector: undefined };
      this.entities.set(entity, ew);
    }
    let vec = ew.lastBucket === bucket ? ew.lastVector : ew.buckets.get(bucket);
    if (!vec) {
      vec = new Float64Array(contribution.length);
      ew.buckets.set(bucket, vec);
    }
    ew.lastBucket = bucket;
    ew.lastVector = vec;
    for (let i = 0; i < vec.length; i++) vec[i] = (vec[i] as number) + (contribution[i] as number);
    if (bucket + 1 < ew.nextEmit) ew.nextEmit = bucket + 1;
  }

  /** Emits every row with boundary ≤ `frontier` not emitted yet, then drops buckets no later row needs. */
  advance(frontier: number, out: FeatureRow[]): void {
    if (!(frontier > this.frontier)) return;
    this.frontier = frontier;
    const keep = frontier + 1 - this.plan.maxBuckets;
    for (const [entity, ew] of this.entities) {
      if (ew.nextEmit <= frontier) this.emitEntity(entity, ew, frontier, out);
      for (const b of ew.buckets.keys()) if (b < keep) ew.buckets.delete(b);
      ew.lastBucket = NaN;
      ew.lastVector = undefined;
      if (ew.buckets.size === 0) this.entities.delete(entity);
    }
  }

  private emitEntity(entity: string, ew: EntityWindows, frontier: number, out: FeatureRow[]): void {
    const keys = [...ew.buckets.keys()].sort((a, b) => a - b);
    const max = this.plan.maxBuckets;
    let i = 0;
    for (let k = ew.nextEmit; k <= frontier; ) {
      while (i < keys.length && (keys[i] as number) < k - max) i++;
      if (i >= keys.length) break;
      const first = keys[i] as number;
      if (first > k - 1) {
        k = first + 1;
        continue;
      }
      out.push(this.row(entity, ew, k));
      k++;
    }
    ew.nextEmit = frontier + 1;
  }

  private row(entity: string, ew: EntityWindows, k: number): FeatureRow {
    const plan = this.plan;
    const width = plan.group.slots.length;
    const sums = new Map<number, Float64Array>();
    for (const size of plan.windowSizes) {
      const acc = new Float64Array(width);
      for (let b = k - size; b < k; b++) {
        const vec = ew.buckets.get(b);
        if (vec) for (let s = 0; s < width; s++) acc[s] = (acc[s] as number) + (vec[s] as number);
      }
      sums.set(size, acc);
    }
    const values: Record<string, number> = {};
    const scales = plan.group.scales;
    for (const o of plan.outputs) {
      const acc = sums.get(o.windowBuckets) as Float64Array;
      const num = (acc[o.slot] as number) / (scales[o.slot] as number);
      if (o.denominator === undefined) values[o.name] = num;
      else {
        const den = (acc[o.denominator] as number) / (scales[o.denominator] as number);
        values[o.name] = den > 0 ? num / den : 0;
      }
    }
    return { view: plan.view.name, entity, timestamp: k * plan.stepMs, values };
  }

  toJSON(): ViewStateSnapshot {
    return {
      frontier: Number.isFinite(this.frontier) ? this.frontier : null,
      entities: [...this.entities].map(([entity, ew]) => [entity, ew.nextEmit, [...ew.buckets].map(([b, v]) => [b, [...v]])]),
    };
  }

  private restore(snapshot: ViewStateSnapshot): void {
    this.frontier = snapshot.frontier ?? -Infinity;
    for (const [entity, nextEmit, buckets] of snapshot.entities) {
      this.entities.set(entity, {
        buckets: new Map(buckets.map(([b, v]) => [b, Float64Array.from(v)])),
        nextEmit,
        lastBucket: NaN,
        lastVector: undefined,
      });
    }
  }
}
