/**
 * Registers an ONNX model trained elsewhere: its signature file is validated (zod), the model is
 * loaded with onnxruntime-node and checked against the signature (input/output names, widths,
 * a zero row runs), then registered with origin 'external'.
 */
import { readFile } from 'node:fs/promises';
import { AlmanacError } from '../../core/errors.ts';
import type { AlmanacConfig } from '../../core/config.ts';
import { checkSessionMatchesSignature, openOnnxSession } from '../inference/onnx-session.ts';
import { createModelRegistry } from './create-model-registry.ts';
import type { ModelRegistry, ModelVersion } from './model-registry.ts';
import { parseMetrics, parseSignature, UNKNOWN_METRICS } from './signature-schema.ts';

export interface ExternalModelInput { onnx: string; signature: string; metrics?: string; name?: string }

async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_NOT_FOUND', `${what} file '${file}' cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { details: { what, id: file } });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_MODEL_INVALID', `${what} file '${file}' is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** @throws ALMANAC_ERR_INPUT_NOT_FOUND (missing file) / ALMANAC_ERR_MODEL_INVALID (bad signature, metrics or ONNX mismatch). */
export async function registerExternalModel(config: AlmanacConfig, input: ExternalModelInput, registry?: ModelRegistry): Promise<ModelVersion> {
  const signature = parseSignature(await readJsonFile(input.signature, 'signature'), `signature ${input.signature}`);
  const metrics = input.metrics ? parseMetrics(await readJsonFile(input.metrics, 'metrics'), `metrics ${input.metrics}`) : UNKNOWN_METRICS;
  await readFile(input.onnx).catch((e: NodeJS.ErrnoException) => {
    throw new AlmanacError('ALMANAC_ERR_INPUT_NOT_FOUND', `ONNX file '${input.onnx}' cannot be read (${e.code ?? e.message})`, { details: { what: 'onnx', id: input.onnx } });
  });
  const session = await openOnnxSession(input.onnx);
  try {
    await checkSessionMatchesSignature(session, signature, input.onnx);
  } finally {
    await session.release();
  }
  const target = registry ?? (await createModelRegistry(config));
  return target.register({
    name: input.name ?? 'external',
    onnxFile: input.onnx,
    metrics,
    signature,
    lineage: {
      trainingSetId: 'external', trainingRange: { from: 0, to: 0 }, featureViews: [], eventLogOffsets: {},
      codeVersion: 'external', parameters: { source: input.onnx }, origin: 'external',
    },
  });
}
