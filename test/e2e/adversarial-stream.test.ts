/**
 * The write attacks of issue 11 on the paths that do not go through POST /v1/events: events
 * produced straight into the log (as a Kafka producer would) reach the stream job, the backfill and
 * the training set, and `almanac ingest` files. Each is refused with a counted reason and changes
 * nothing: the features are those of the clean run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { createMetrics } from '../../core/metrics.ts';
import { runBackfill } from '../../features/jobs/backfill-job.ts';
import { runStreamJob } from '../../features/jobs/stream-job.ts';
import { buildTrainingSet } from '../../features/training-set-builder.ts';
import { createEventLog } from '../../pipelines/event-log/create-event-log.ts';
import { EVENTS_TOPIC } from '../../pipelines/event-log/event-log.ts';
import { ingestFiles } from '../../pipelines/ingest/ingest-events.ts';
import { generateWorld } from '../features/fixtures/generate-events.ts';
import { appendToLog, offlineRows, onlineSnapshot, tempConfig } from '../features/jobs/job-fixture.ts';

const world = generateWorld({ days: 6, clients: 3, seed: 5 });
const VICTIM_CAMPAIGN = 'client-0-camp-0';
const last = Math.max(...world.map((e) => e.ts));

/** What an attacker with produce rights on the topic sends, as client-1 (registered) and a made-up client. */
function attack(): AlmanacEvent[] {
  const at = last - 3_600_000;
  const out: AlmanacEvent[] = [
    // re-assign the victim's campaign
    { type: 'campaign', event_id: 'atk-c', campaign_id: VICTIM_CAMPAIGN, client_id: 'client-1', ts: at, industry: 'x', objective: 'sales', channel: 'sms', budget: 1, start: at, end: at, attributes: {} },
    // a made-up client (not registered)
    { type: 'client', event_id: 'atk-fake', client_id: 'fake-co', ts: at, industry: 'x' },
    { type: 'campaign', event_id: 'atk-fc', campaign_id: 'fake-camp', client_id: 'fake-co', ts: at, industry: 'x', objective: 'sales', channel: 'sms', budget: 1, start: at, end: at, attributes: {} },
  ];
  // 300 touches + 300 conversions filed under client-1 for the victim's campaign (pumps its conversion rate)
  for (let i = 0; i < 300; i++) {
    out.push({ type: 'touch', event_id: `atk-t${i}`, touch_id: `atk-${i}`, campaign_id: VICTIM_CAMPAIGN, client_id: 'client-1', ts: at + i, audience: { segment: 'families' }, attributes: {} });
    out.push({ type: 'outcome', event_id: `atk-o${i}`, touch_id: `atk-${i}`, campaign_id: VICTIM_CAMPAIGN, client_id: 'client-1', ts: at + i + 1, kind: 'conversion' });
  }
  return out;
}

async function produce(config: ReturnType<typeof tempConfig>, events: AlmanacEvent[]): Promise<void> {
  const log = await createEventLog(config);
  await log.init();
  await log.append(EVENTS_TOPIC, events.map((e) => ({ id: `raw-${e.event_id}`, key: e.client_id, timestamp: e.ts, value: JSON.stringify(e) })));
  await log.close();
}

describe('events produced straight into the log', () => {
  it('are refused by the stream job, the backfill and the training set with counted reasons; the features equal the clean run', async () => {
    const clean = tempConfig();
    await appendToLog(clean, world);
    await runStreamJob(clean, { untilCaughtUp: true, quiet: true });

    const attacked = tempConfig();
    await appendToLog(attacked, world); // registers client-0..2 and their campaigns
    await produce(attacked, attack());
    const metrics = createMetrics(false);
    const report = await runStreamJob(attacked, { untilCaughtUp: true, quiet: true, metrics });
    expect(report.rejected).toEqual({ campaign_taken: 1, unregistered_client: 2, unknown_campaign: 600 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/almanac_events_rejected_total\{job="stream",reason="unknown_campaign"\} 600/);
    expect(onlineSnapshot(attacked)).toEqual(onlineSnapshot(clean));
    expect(await offlineRows(attacked)).toEqual(await offlineRows(clean));

    const backfill = await runBackfill(attacked, { quiet: true });
    expect(backfill.rejected).toEqual({ campaign_taken: 1, unregistered_client: 2, unknown_campaign: 600 });
    const a = await buildTrainingSet(attacked, { quiet: true, attributionWindowMs: 86_400_000 });
    const c = await buildTrainingSet(clean, { quiet: true, attributionWindowMs: 86_400_000 });
    expect([a.set.manifest.rows, a.set.manifest.positives]).toEqual([c.set.manifest.rows, c.set.manifest.positives]);
  });
});

describe('almanac ingest', () => {
  it('applies the same rule: another client\'s campaign, touches on it and unregistered clients are rejected by line', async () => {
    const config = tempConfig();
    await appendToLog(config, world);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-adv-ingest-'));
    const file = path.join(dir, 'attack.jsonl');
    const events = attack().slice(0, 5); // the re-assign, the fake client (a client event: the operator registers it), its campaign, one touch + outcome
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const report = await ingestFiles(config, [file], { quiet: true });
    expect(report.rejected.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([[1, 'campaign_id'], [4, 'campaign_id'], [5, 'campaign_id']]);
    expect(report.accepted).toBe(2); // the operator may register fake-co and create its campaign; nothing of client-0 changes
  });
});
