/** Qdrant REST failures → AlmanacError (404 → not found; network, timeout, 429 and 5xx → unavailable). */
import { AlmanacError, notFound } from '../../../core/errors.ts';

export function httpStatusOf(err: unknown): number | undefined {
  const direct = (err as { status?: unknown })?.status;
  if (typeof direct === 'number') return direct;
  const m = /Unexpected Response: (\d{3})/.exec(err instanceof Error ? err.message : String(err));
  return m ? Number(m[1]) : undefined;
}

export function qdrantError(err: unknown, operation: string, collection?: string): AlmanacError {
  if (err instanceof AlmanacError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const status = httpStatusOf(err);
  const details = { dependency: 'qdrant', operation, collection, httpStatus: status };
  if (status === 404 && collection !== undefined) return notFound('vector collection', collection);
  const name = err instanceof Error ? err.name : '';
  if (status === undefined || status === 429 || status >= 500 || /Timeout|ResourceExhausted/.test(name)) {
    return new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `qdrant unavailable during ${operation}: ${message.split('\n')[0]}`, { details, cause: err });
  }
  return new AlmanacError('ALMANAC_ERR_INTERNAL', `qdrant refused ${operation}: ${message}`, { details, cause: err });
}
