/**
 * Milvus failures → AlmanacError. The SDK throws on transport problems (gRPC UNAVAILABLE,
 * DEADLINE_EXCEEDED) and returns a `status` for server-side refusals; both come through here.
 */
import { AlmanacError, notFound } from '../../../core/errors.ts';

interface MilvusStatus {
  error_code?: string | number;
  code?: number;
  reason?: string;
  retriable?: boolean;
}

const TRANSPORT = /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|ETIMEDOUT|ECONNRESET|connect|timeout|Timeout/;
const NOT_FOUND = /collection not found|can't find collection|collection.*not exist|alias.*not (found|exist)/i;

export function milvusError(err: unknown, operation: string, collection?: string): AlmanacError {
  if (err instanceof AlmanacError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const details = { dependency: 'milvus', operation, collection };
  if (collection !== undefined && NOT_FOUND.test(message)) return notFound('vector collection', collection);
  if (TRANSPORT.test(message)) {
    return new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `milvus unavailable during ${operation}: ${message}`, { details, cause: err });
  }
  return new AlmanacError('ALMANAC_ERR_INTERNAL', `milvus failed during ${operation}: ${message}`, { details, cause: err });
}

/**
 * Milvus's CollectionNotLoaded (code 101, "collection not loaded"; milvus-lite: "… is in state
 * 'released'"): a collection must be loaded to be searched or queried, and milvus-lite brings its
 * collections back released after a restart.
 */
export function isNotLoaded(err: unknown): boolean {
  if (!(err instanceof AlmanacError)) return false;
  const details = err.details as { milvusCode?: unknown } | undefined;
  return details?.milvusCode === 101 || /collection not loaded|state 'released'/i.test(err.message);
}

/** Throws when a Milvus status is not success (not found → ALMANAC_ERR_INPUT_NOT_FOUND; retriable → STORE_UNAVAILABLE). */
export function checkStatus(status: MilvusStatus | undefined, operation: string, collection?: string): void {
  if (status === undefined) return;
  const ok = (status.error_code === 'Success' || status.error_code === 0 || status.error_code === undefined) && (status.code ?? 0) === 0;
  if (ok) return;
  const reason = status.reason ?? `error ${String(status.error_code)}`;
  if (collection !== undefined && NOT_FOUND.test(reason)) throw notFound('vector collection', collection);
  const details = { dependency: 'milvus', operation, collection, milvusCode: status.code ?? status.error_code };
  if (status.retriable) throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `milvus unavailable during ${operation}: ${reason}`, { details });
  throw new AlmanacError('ALMANAC_ERR_INTERNAL', `milvus refused ${operation}: ${reason}`, { details });
}
