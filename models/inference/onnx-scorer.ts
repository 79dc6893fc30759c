/**
 * The Scorer backed by onnxruntime-node: one InferenceSession per model version, records encoded
 * with the one encoder (encode.ts, compiled once per version) and scored in batches; small
 * concurrent calls share one run (run-coalescer.ts).
 */
import { AlmanacError, unsupported } from '../../core/errors.ts';
import type { FeatureRecord } from '../../features/training-set.ts';
import type { ModelVersion } from '../registry/model-registry.ts';
import { createEncoder } from './encode.ts';
import { checkSessionMatchesSignature, openOnnxSession, runOnnx } from './onnx-session.ts';
import { RunCoalescer } from './run-coalescer.ts';
import type { Scorer } from './scorer.ts';

/** Rows per onnxruntime call. */
export const SCORE_BATCH_ROWS = 4096;

/**
 * Loads a registered version for scoring (checks the ONNX graph against its signature first).
 * @throws ALMANAC_ERR_MODEL_INVALID when the file is missing or does not match its signature.
 */
export async function loadScorer(version: ModelVersion): Promise<Scorer> {
  const { signature } = version;
  const session = await openOnnxSession(version.onnxPath);
  await checkSessionMatchesSignature(session, signature, version.onnxPath);
  const encode = createEncoder(signature);
  let closed = false;
  /** Calls accepted and not yet answered: close() waits for them, so none meets a released session. */
  const inFlight = new Set<Promise<unknown>>();
  const tracked = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.then(() => inFlight.delete(p), () => inFlight.delete(p));
    return p;
  };

  const run = async (records: FeatureRecord[], output: string): Promise<Float32Array> => {
    if (records.length > 0 && records.length <= SCORE_BATCH_ROWS) {
      const result = await runOnnx(session, signature, encode(records), records.length, [output]);
      return result[output] as Float32Array;
    }
    const width = output === signature.outputs.probability ? 1 : (signature.embeddingWidth ?? 0);
    const out = new Float32Array(records.length * width);
    for (let start = 0; start < records.length; start += SCORE_BATCH_ROWS) {
      const batch = records.slice(start, start + SCORE_BATCH_ROWS);
      const x = encode(batch);
      const result = await runOnnx(session, signature, x, batch.length, [output]);
      out.set(result[output] as Float32Array, start * width);
    }
    return out;
  };

  const probabilities = new RunCoalescer((records) => run(records, signature.outputs.probability), 1);
  const width = signature.inputWidth;
  const encodedRows = new RunCoalescer<Float32Array>(async (rows) => {
    const first = rows[0] as Float32Array;
    const whole = rows.length === 1 && first.byteOffset === 0 && first.byteLength === first.buffer.byteLength;
    const x = whole ? first : new Float32Array(rows.length * width);
    if (!whole) rows.forEach((row, i) => x.set(row, i * width));
    const result = await runOnnx(session, signature, x, rows.length, [signature.outputs.probability]);
    return result[signature.outputs.probability] as Float32Array;
  }, 1);
  const runEncodedInBatches = async (rows: Float32Array[]): Promise<Float32Array> => {
    const out = new Float32Array(rows.length);
    for (let start = 0; start < rows.length; start += SCORE_BATCH_ROWS) {
      const batch = rows.slice(start, start + SCORE_BATCH_ROWS);
      out.set(await encodedRows.submit(batch), start);
    }
    return out;
  };
  const embeddingName = signature.outputs.embedding;
  const embeddings = embeddingName && signature.embeddingWidth
    ? new RunCoalescer((records) => run(records, embeddingName), signature.embeddingWidth)
    : undefined;

  const open = () => {
    if (closed) throw new AlmanacError('ALMANAC_ERR_MODEL_NOT_READY', `scorer for model version ${version.version} is closed`);
  };
  return {
    version: version.version,
    signature,
    async predict(records) {
      open();
      return tracked(probabilities.submit(records));
    },
    async predictEncoded(x, rows) {
      open();
      if (x.length !== rows * width) throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `encoded input has ${x.length} floats; expected ${rows} rows × ${width}`);
      const all = rows === 1 ? [x] : Array.from({ length: rows }, (_, i) => x.subarray(i * width, (i + 1) * width));
      return tracked(rows <= SCORE_BATCH_ROWS ? encodedRows.submit(all) : runEncodedInBatches(all));
    },
    async embed(records) {
      open();
      const width = signature.embeddingWidth;
      if (!embeddings || !width) throw unsupported(`model version ${version.version}`, 'embeddings (the model has no embedding output)');
      const flat = await tracked(embeddings.submit(records));
      return records.map((_, i) => flat.slice(i * width, (i + 1) * width));
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      await session.release();
    },
  };
}
