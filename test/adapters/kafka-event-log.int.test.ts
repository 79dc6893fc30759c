/** The EventLog contract against a real Kafka (KAFKA_BROKERS=host:9092); skipped without it. */
import { describe, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createKafkaEventLog } from '../../pipelines/event-log/kafka/kafka-event-log.ts';
import { eventLogContract } from '../contracts/event-log.contract.ts';

const brokers = process.env.KAFKA_BROKERS;

if (brokers) {
  eventLogContract('kafka', async () => createKafkaEventLog(loadConfig({ env: { KAFKA_BROKERS: brokers, ALMANAC_EVENT_LOG: 'kafka' } })));
} else {
  describe('EventLog contract: kafka', () => {
    it.skip('skipped: set KAFKA_BROKERS=localhost:9092 (docker-compose -f deploy/compose.yaml up -d kafka)', () => {});
  });
}
