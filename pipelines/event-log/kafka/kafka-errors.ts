/**
 * kafkajs errors → AlmanacError. Connection problems, request timeouts, exhausted retries and any
 * error kafkajs itself marks retriable become ALMANAC_ERR_STORE_UNAVAILABLE (retriable); an unknown
 * topic and an out-of-range offset keep their own codes; anything else is internal.
 */
import { AlmanacError } from '../../../core/errors.ts';

const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSNotImplemented',
]);

interface KafkaLikeError {
  name?: string;
  type?: string;
  message?: string;
  retriable?: boolean;
}

/** Maps an error thrown by kafkajs; `context` lands in details (topic, partition, group). */
export function kafkaError(err: unknown, operation: string, context: Record<string, unknown> = {}): AlmanacError {
  if (err instanceof AlmanacError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as KafkaLikeError;
  const message = e.message ?? String(err);
  const details = { dependency: 'kafka', operation, kafkaError: e.type ?? e.name, ...context };
  if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new AlmanacError('ALMANAC_ERR_LOG_UNKNOWN_TOPIC', `kafka: unknown topic or partition during ${operation}: ${message}`, { details, cause: err });
  }
  if (e.name === 'KafkaJSOffsetOutOfRange' || e.type === 'OFFSET_OUT_OF_RANGE') {
    return new AlmanacError('ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE', `kafka: offset out of range during ${operation}: ${message}`, { details, cause: err });
  }
  if (e.retriable === true || UNAVAILABLE_NAMES.has(e.name ?? '')) {
    return new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `kafka unavailable during ${operation}: ${message}`, { details, cause: err });
  }
  return new AlmanacError('ALMANAC_ERR_INTERNAL', `kafka failed during ${operation}: ${message}`, { details, cause: err });
}
