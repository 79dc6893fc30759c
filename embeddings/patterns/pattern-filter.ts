/**
 * The one filter that serves success patterns to a client with k-anonymity: the client sees the
 * global patterns backed by at least k distinct clients, plus its own private patterns (tenant =
 * client_id, visibility_clients set far above any k). Pushed down to the vector index.
 */
import { invalidInput } from '../../core/errors.ts';
import type { Condition, VectorFilter } from '../vector-index/vector-index.ts';

export interface PatternFilterOptions {
  clientId: string;
  /** k: minimum distinct clients behind a cross-client pattern (config.patterns.minClients). */
  minClients: number;
  /** Only patterns seen in this industry. */
  industry?: string;
  /** Only patterns whose success rate is at least this (0..1). */
  minSuccessRate?: number;
  /** Only patterns with at least this many touches. */
  minSampleSize?: number;
  /** Only patterns that include any of these channels. */
  channels?: string[];
}

/** @throws ALMANAC_ERR_INPUT_INVALID on an empty client id or k < 1. */
export function patternFilter(options: PatternFilterOptions): VectorFilter {
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) {
    throw invalidInput('patternFilter needs a client id', [{ path: 'clientId', reason: 'must be a non-empty string' }]);
  }
  if (!Number.isInteger(options.minClients) || options.minClients < 1) {
    throw invalidInput(`patternFilter: minClients must be an integer ≥ 1, got ${String(options.minClients)}`, [{ path: 'minClients', reason: 'must be an integer ≥ 1' }]);
  }
  const conditions: Condition[] = [{ field: 'visibility_clients', op: 'range', gte: options.minClients }];
  if (options.industry !== undefined) conditions.push({ field: 'industries', op: 'contains_any', values: [options.industry] });
  if (options.minSuccessRate !== undefined) conditions.push({ field: 'success_rate', op: 'range', gte: options.minSuccessRate });
  if (options.minSampleSize !== undefined) conditions.push({ field: 'touches', op: 'range', gte: options.minSampleSize });
  if (options.channels !== undefined && options.channels.length > 0) conditions.push({ field: 'channels', op: 'contains_any', values: options.channels });
  const tenants = options.clientId === 'global' ? ['global'] : ['global', options.clientId];
  return { tenants, conditions };
}
