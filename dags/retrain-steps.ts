/**
 * The gate and promotion steps of the retrain DAG, as plain functions: the DAG's `evaluate` and
 * `promote` tasks run them, and so does `almanac demo`. The gate is judged once, in `evaluate`;
 * `promote` hands that verdict to the registry, which judges again only if the champion changed
 * in between (another process promoted meanwhile).
 */
import { AlmanacError } from '../core/errors.ts';
import type { ChallengerVerdict, ModelRegistry, PromotionGate } from '../models/registry/model-registry.ts';
import { judgeChallenger } from '../models/registry/promotion-gate.ts';

/**
 * Judges registered `version` against the current champion.
 * @throws ALMANAC_ERR_MODEL_GATE_FAILED (details: the verdict) when the gate rejects it; the champion keeps serving.
 */
export async function evaluateChallenger(registry: ModelRegistry, version: number, gate: PromotionGate): Promise<ChallengerVerdict> {
  const verdict = await judgeChallenger(registry, version, gate);
  if (!verdict.passed) {
    const champion = verdict.championVersion === undefined ? '(none)' : `v${verdict.championVersion}`;
    throw new AlmanacError('ALMANAC_ERR_MODEL_GATE_FAILED', `model v${version} not promoted: ${verdict.reason}; champion ${champion} keeps serving`, {
      details: { ...verdict },
    });
  }
  return verdict;
}

export interface PromotionSummary {
  version: number;
  promoted: boolean;
  /** The champion after this step. */
  champion: number;
  previous?: number;
  reason: string;
}

/** Makes the judged challenger champion (nothing to do when it already is). @throws as ModelRegistry.promote */
export async function promoteChallenger(registry: ModelRegistry, verdict: ChallengerVerdict, gate: PromotionGate): Promise<PromotionSummary> {
  const { version } = verdict;
  if ((await registry.resolve('champion'))?.version === version) return { version, promoted: false, champion: version, reason: 'already champion' };
  const result = await registry.promote(version, { gate, verdict });
  return { version, promoted: result.promoted, champion: version, ...(result.previous === undefined ? {} : { previous: result.previous }), reason: result.reason };
}
