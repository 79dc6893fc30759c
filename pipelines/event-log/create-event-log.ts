import type { AlmanacConfig } from '../../core/config.ts';
import type { EventLog } from './event-log.ts';

/** Picks the EventLog adapter by `config.eventLog.adapter`; server SDKs load lazily. */
export async function createEventLog(config: AlmanacConfig): Promise<EventLog> {
  switch (config.eventLog.adapter) {
    case 'embedded':
      return (await import('./embedded/embedded-event-log.ts')).createEmbeddedEventLog(config);
    case 'kafka':
      return (await import('./kafka/kafka-event-log.ts')).createKafkaEventLog(config);
  }
}
