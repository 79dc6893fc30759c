/**
 * The model's success probability for touches: the one place that picks between the two ways in.
 * When the scorer takes encoded input (Scorer.predictEncoded) and the feature functions have a
 * compiled reader, the features are written straight into the input tensor (touchRows, the hot
 * path); otherwise FeatureRecords are built and given to Scorer.predict. Both give the same values.
 */
import type { Scorer } from '../models/inference/scorer.ts';
import { touchRecords, touchRows, type TouchFeatureDeps, type TouchWithCampaign } from './touch-records.ts';

export interface TouchScores {
  /** Success probability per item, in item order. */
  probabilities: Float32Array;
  /** Signature features missing from at least one item. */
  missing: string[];
  /** Dependencies that failed and were served around ('online_store'). */
  degraded: string[];
}

/** Scores `items` with one batched online-store read and one model call. `asOf` (epoch ms) is the TTL check time. */
export async function scoreTouches(scorer: Scorer, items: TouchWithCampaign[], deps: TouchFeatureDeps, asOf: number): Promise<TouchScores> {
  if (scorer.predictEncoded !== undefined && deps.features.compileTouchFeatureReader !== undefined) {
    const { x, rows, missing, degraded } = await touchRows(items, deps, scorer.signature, asOf);
    return { probabilities: await scorer.predictEncoded(x, rows), missing, degraded };
  }
  const { records, missing, degraded } = await touchRecords(items, deps, scorer.signature, asOf);
  return { probabilities: await scorer.predict(records), missing, degraded };
}
