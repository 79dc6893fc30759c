/**
 * The network as plain weights: dense layers (kernel [inputs × units] row-major, bias [units]),
 * ReLU between them, a sigmoid on the single output unit. The last hidden layer's activations
 * are the embedding. The same weights run in TF.js (training, evaluation) and in ONNX (serving).
 */
import type { Tf } from '../tf-backend.ts';
import type { Tensor2D } from '@tensorflow/tfjs';

export interface DenseWeights {
  inputs: number;
  units: number;
  /** Row-major [inputs × units]: kernel[i * units + j] connects input i to unit j. */
  kernel: Float32Array;
  bias: Float32Array;
}

export interface NetworkWeights {
  /** Hidden layers then the output layer (units = 1). */
  layers: DenseWeights[];
}

/** Width of the embedding (the last hidden layer), or undefined for a network with no hidden layer. */
export function embeddingWidthOf(network: NetworkWeights): number | undefined {
  const hidden = network.layers.slice(0, -1);
  return hidden.length === 0 ? undefined : (hidden[hidden.length - 1] as DenseWeights).units;
}

/** Forward pass in TF.js: probabilities [n] and (when there are hidden layers) embeddings [n × width]. */
export function forwardTf(tf: Tf, network: NetworkWeights, x: Float32Array, rows: number): { probabilities: Float32Array; embeddings?: Float32Array } {
  const out = tf.tidy(() => {
    let h: Tensor2D = tf.tensor2d(x, [rows, (network.layers[0] as DenseWeights).inputs]);
    let embedding: Tensor2D | undefined;
    network.layers.forEach((layer, i) => {
      const z = tf.add(tf.matMul(h, tf.tensor2d(layer.kernel, [layer.inputs, layer.units])), tf.tensor1d(layer.bias)) as Tensor2D;
      if (i < network.layers.length - 1) {
        h = tf.relu(z);
        embedding = h;
      } else {
        h = tf.sigmoid(z);
      }
    });
    return { probabilities: h.reshape([rows]), embedding };
  });
  const probabilities = out.probabilities.dataSync() as Float32Array;
  const embeddings = out.embedding ? (out.embedding.dataSync() as Float32Array) : undefined;
  out.probabilities.dispose();
  out.embedding?.dispose();
  return embeddings ? { probabilities: Float32Array.from(probabilities), embeddings: Float32Array.from(embeddings) } : { probabilities: Float32Array.from(probabilities) };
}
