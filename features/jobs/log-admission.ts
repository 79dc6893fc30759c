/**
 * The ownership rule (core/tenants/event-admission.ts) applied to records read from the event
 * log, for events that reached it without POST /v1/events or `almanac ingest` (e.g. produced
 * straight to Kafka). The stream job, the backfill and the training-set reader all read through
 * it, so they agree on what counts; rejected events are counted by reason.
 */
import type { AlmanacConfig } from '../../core/config.ts';
import { EVENT_TYPES, type AlmanacEvent } from '../../core/domain/event.ts';
import { createTenantStore } from '../../core/tenants/create-tenant-store.ts';
import { EventAdmission, type RejectionReason } from '../../core/tenants/event-admission.ts';
import type { TenantStore } from '../../core/tenants/tenant-store.ts';
import type { AggregationEngine } from '../aggregation/aggregation-engine.ts';

/** One record as the readers see it: an admitted event, a rejected one, or not an event at all. */
export type ReadRecord = { kind: 'event'; event: AlmanacEvent } | { kind: 'rejected'; reason: RejectionReason } | { kind: 'unparsed'; value: string };

export class LogAdmission {
  readonly rejected: Partial<Record<RejectionReason, number>> = {};
  private readonly admission: EventAdmission;

  private constructor(private readonly store: TenantStore, private readonly owned: boolean, private readonly onReject?: (reason: RejectionReason) => void) {
    this.admission = new EventAdmission(store);
  }

  /** Opens the configured tenant store (or uses `store`, which the caller then closes). */
  static async open(config: AlmanacConfig, options: { store?: TenantStore; onReject?: (reason: RejectionReason) => void } = {}): Promise<LogAdmission> {
    if (options.store) return new LogAdmission(options.store, false, options.onReject);
    const store = await createTenantStore(config);
    await store.init();
    return new LogAdmission(store, true, options.onReject);
  }

  /** Classifies a batch of record values in order. @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable) */
  async read(values: readonly string[]): Promise<ReadRecord[]> {
    const out: ReadRecord[] = new Array(values.length);
    const events: AlmanacEvent[] = [];
    const at: number[] = [];
    values.forEach((value, i) => {
      const e = eventShape(value);
      if (e === undefined) out[i] = { kind: 'unparsed', value };
      else {
        events.push(e);
        at.push(i);
      }
    });
    const { admitted, admittedIndex, rejected } = await this.admission.admit(events, { kind: 'log' });
    admittedIndex.forEach((j, n) => (out[at[j] as number] = { kind: 'event', event: admitted[n] as AlmanacEvent }));
    for (const r of rejected) {
      out[at[r.index] as number] = { kind: 'rejected', reason: r.code };
      this.rejected[r.code] = (this.rejected[r.code] ?? 0) + 1;
      this.onReject?.(r.code);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.owned) await this.store.close();
  }
}

/** The record as an event when it has the fields the rule reads; undefined otherwise (left to the engine's own checks). */
function eventShape(value: string): AlmanacEvent | undefined {
  let e: unknown;
  try {
    e = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as Record<string, unknown>;
  if (typeof x.client_id !== 'string' || typeof x.event_id !== 'string' || !(EVENT_TYPES as readonly unknown[]).includes(x.type)) return undefined;
  if (x.type !== 'client' && typeof x.campaign_id !== 'string') return undefined;
  return e as AlmanacEvent;
}

/** Runs one read record through the engine; returns the event when it was new. Rejected records are only counted. */
export function processRead(engine: AggregationEngine, partition: number, r: ReadRecord): AlmanacEvent | undefined {
  if (r.kind === 'event') return engine.processEvent(partition, r.event) ? r.event : undefined;
  if (r.kind === 'unparsed') return engine.processRecord(partition, r.value);
  return undefined;
}

