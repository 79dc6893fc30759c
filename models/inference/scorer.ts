/**
 * A loaded model ready to score: features → probability (and the penultimate-layer embedding,
 * used to place touches and campaigns among success patterns). Backed by onnxruntime-node.
 */
import type { FeatureRecord } from '../../features/training-set.ts';
import type { InputSignature } from '../registry/model-registry.ts';

export interface Scorer {
  readonly version: number;
  readonly signature: InputSignature;
  /** Success probability per record, in [0, 1]. */
  predict(records: FeatureRecord[]): Promise<Float32Array>;
  /**
   * Success probability per row of an already encoded input (`rows × signature.inputWidth` floats,
   * row-major, as encode.ts writes them) — the serving hot path, skipping the FeatureRecords.
   * Optional: scorers without it are given records.
   */
  predictEncoded?(x: Float32Array, rows: number): Promise<Float32Array>;
  /** Embedding per record (width = signature.embeddingWidth). @throws ALMANAC_ERR_UNSUPPORTED when the model has none. */
  embed(records: FeatureRecord[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}
