/**
 * The one TensorFlow.js backend choice: the WebAssembly backend (SIMD when the CPU has it),
 * its .wasm files served from the installed package's dist folder. Every TF.js user in models/
 * goes through `loadTf()`, so training, tests and benches run on the same kernels.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { AlmanacError } from '../core/errors.ts';

export type Tf = typeof tf;

let ready: Promise<Tf> | undefined;

/** Initialises the wasm backend once and returns the tf namespace. @throws ALMANAC_ERR_INTERNAL when wasm cannot start. */
export function loadTf(): Promise<Tf> {
  ready ??= initialise();
  return ready;
}

async function initialise(): Promise<Tf> {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  setWasmPaths(`${path.join(path.dirname(pkg), 'dist')}${path.sep}`);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new AlmanacError('ALMANAC_ERR_INTERNAL', 'TensorFlow.js wasm backend failed to initialise');
  await tf.ready();
  return tf;
}
