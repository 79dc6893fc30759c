/** The EventLog contract against a real Kafka (KAFKA_BROKERS=host:9092); skipped without it (see test/real-engines.ts). */
import { engineUrl, withoutEngine } from '../real-engines.ts';
import { loadConfig } from '../../core/config.ts';
import { createKafkaEventLog } from '../../pipelines/event-log/kafka/kafka-event-log.ts';
import { eventLogContract } from '../contracts/event-log.contract.ts';

const brokers = engineUrl('kafka');

if (brokers) {
  eventLogContract('kafka', async () => createKafkaEventLog(loadConfig({ env: { KAFKA_BROKERS: brokers, ALMANAC_EVENT_LOG: 'kafka' } })));
} else {
  withoutEngine('EventLog contract: kafka', 'kafka');
}
