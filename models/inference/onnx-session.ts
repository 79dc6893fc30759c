/**
 * Opens an ONNX model with onnxruntime-node and checks it against an InputSignature: the input
 * and output names exist, and one zero row runs and yields the expected widths.
 */
import * as ort from 'onnxruntime-node';
import { AlmanacError } from '../../core/errors.ts';
import type { InputSignature } from '../registry/model-registry.ts';

export type OnnxSession = ort.InferenceSession;

function invalid(file: string, reason: string, cause?: unknown): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_MODEL_INVALID', `model ${file}: ${reason}`, { details: { file, reason }, cause });
}

/** Opens one session (single intra-op thread pool per model). @throws ALMANAC_ERR_MODEL_INVALID */
export async function openOnnxSession(file: string): Promise<OnnxSession> {
  try {
    return await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  } catch (e) {
    throw invalid(file, `onnxruntime cannot load it (${(e as Error).message.split('\n')[0]})`, e);
  }
}

/** Runs `rows` encoded rows and returns the requested outputs' data, by name. */
export async function runOnnx(session: OnnxSession, signature: InputSignature, x: Float32Array, rows: number, outputs: string[]): Promise<Record<string, Float32Array>> {
  const feeds = { [signature.inputName]: new ort.Tensor('float32', x, [rows, signature.inputWidth]) };
  const result = await session.run(feeds, outputs);
  const out: Record<string, Float32Array> = {};
  for (const name of outputs) out[name] = result[name]?.data as Float32Array;
  return out;
}

/**
 * Checks that the session's names and widths match the signature (a zero row is run).
 * @throws ALMANAC_ERR_MODEL_INVALID naming the mismatch.
 */
export async function checkSessionMatchesSignature(session: OnnxSession, signature: InputSignature, file: string): Promise<void> {
  if (!session.inputNames.includes(signature.inputName)) {
    throw invalid(file, `input '${signature.inputName}' not found (model inputs: ${session.inputNames.join(', ')})`);
  }
  const wanted = [signature.outputs.probability, ...(signature.outputs.embedding ? [signature.outputs.embedding] : [])];
  for (const name of wanted) {
    if (!session.outputNames.includes(name)) throw invalid(file, `output '${name}' not found (model outputs: ${session.outputNames.join(', ')})`);
  }
  let out: Record<string, Float32Array>;
  try {
    out = await runOnnx(session, signature, new Float32Array(signature.inputWidth), 1, wanted);
  } catch (e) {
    throw invalid(file, `a zero row of width ${signature.inputWidth} does not run (${(e as Error).message.split('\n')[0]})`, e);
  }
  const probability = out[signature.outputs.probability];
  if (probability?.length !== 1) throw invalid(file, `output '${signature.outputs.probability}' has width ${probability?.length}, expected 1`);
  if (signature.outputs.embedding) {
    const width = out[signature.outputs.embedding]?.length;
    if (width !== signature.embeddingWidth) throw invalid(file, `output '${signature.outputs.embedding}' has width ${width}, expected embeddingWidth ${signature.embeddingWidth}`);
  }
}
