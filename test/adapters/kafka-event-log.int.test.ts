/** The EventLog contract against a real Kafka (KAFKA_BROKERS=host:9092); skipped without it (see test/real-engines.ts). */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { engineUrl, withoutEngine } from '../real-engines.ts';
import { loadConfig } from '../../core/config.ts';
import { createKafkaEventLog } from '../../pipelines/event-log/kafka/kafka-event-log.ts';
import type { EventLog } from '../../pipelines/event-log/event-log.ts';
import { eventLogContract } from '../contracts/event-log.contract.ts';

const brokers = engineUrl('kafka');
const newLog = (): EventLog => createKafkaEventLog(loadConfig({ env: { KAFKA_BROKERS: brokers!, ALMANAC_EVENT_LOG: 'kafka' } }));

if (brokers) {
  eventLogContract('kafka', async () => newLog());

  describe('kafka event log (real broker)', () => {
    it('close() makes its consumers leave their groups, so the next member owns every partition at once', async () => {
      const topic = `adapter.leave.${randomUUID().slice(0, 8)}`;
      const group = `adapter-leave-${randomUUID().slice(0, 8)}`;
      const first = newLog();
      await first.init();
      await first.ensureTopic(topic, { partitions: 2 });
      const stale = await first.consumer({ group, topic });
      expect(stale.assignment()).toEqual([0, 1]);
      await first.close(); // the consumer itself is never closed by the caller
      await expect(stale.poll({ maxRecords: 1, maxWaitMs: 0 })).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
      await stale.close(); // idempotent

      const second = newLog();
      await second.init();
      try {
        const started = Date.now();
        const next = await second.consumer({ group, topic });
        // Had the first member stayed, it would rejoin and keep a partition (or, had its process
        // died, hold the group until its 30 s session timed out).
        expect(next.assignment()).toEqual([0, 1]);
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await second.close();
      }
    });
  });
} else {
  withoutEngine('EventLog contract: kafka', 'kafka');
}
