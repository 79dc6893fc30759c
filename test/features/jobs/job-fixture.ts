/** A temp ALMANAC home with fixture events appended to the embedded log (duplicates included). */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AlmanacConfig } from '../../../core/config.ts';
import { registerOwnersOf } from '../../tenants-fixture.ts';
import type { AlmanacEvent } from '../../../core/domain/event.ts';
import { createOfflineStore } from '../../../features/offline-store/create-offline-store.ts';
import type { FeatureRow } from '../../../features/feature-view.ts';
import { FEATURE_VIEWS } from '../../../features/views/index.ts';
import { createEventLog } from '../../../pipelines/event-log/create-event-log.ts';
import { EVENTS_TOPIC } from '../../../pipelines/event-log/event-log.ts';

export function tempConfig(partitions = 3): AlmanacConfig {
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-jobs-'));
  return loadConfig({ env: {}, overrides: { home, logLevel: 'silent', eventLog: { partitions, fsync: 'none' } } });
}

/**
 * Appends events in the given (arrival) order. A re-sent event gets a distinct record id, as a log
 * without idempotent ids (Kafka) would store it, so the engine's own dedupe is exercised.
 */
export async function appendToLog(config: AlmanacConfig, events: AlmanacEvent[], sent = new Map<string, number>()): Promise<void> {
  // the tenants exist before their events flow (an admin registered them; each campaign is its first client's)
  await registerOwnersOf(config, events.map((e) => (e.type === 'client' ? { client_id: e.client_id } : { client_id: e.client_id, campaign_id: e.campaign_id })));
  const log = await createEventLog(config);
  await log.init();
  await log.ensureTopic(EVENTS_TOPIC, { partitions: config.eventLog.partitions });
  const records = events.map((e) => {
    const n = sent.get(e.event_id) ?? 0;
    sent.set(e.event_id, n + 1);
    return { id: n === 0 ? e.event_id : `${e.event_id}#resent${n}`, key: e.client_id, timestamp: e.ts, value: JSON.stringify(e) };
  });
  for (let i = 0; i < records.length; i += 1000) await log.append(EVENTS_TOPIC, records.slice(i, i + 1000));
  await log.close();
}

/** Every offline row of every view. */
export async function offlineRows(config: AlmanacConfig): Promise<FeatureRow[]> {
  const store = await createOfflineStore(config);
  try {
    return (await Promise.all(FEATURE_VIEWS.map((v) => store.scan(v.name)))).flat();
  } finally {
    await store.close();
  }
}

/** The embedded online store's durable snapshot, sorted by key. */
export function onlineSnapshot(config: AlmanacConfig): [string, unknown][] {
  const snap = JSON.parse(readFileSync(path.join(config.home, 'online', 'snapshot.json'), 'utf8')) as { entries: [string, unknown][] };
  return snap.entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
