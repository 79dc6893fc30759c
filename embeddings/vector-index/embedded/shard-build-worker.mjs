// Worker thread of the embedded vector index's parallel build (shard-builder.ts): adds one shard's
// points to its hnswlib graph and writes the graph to a file. Plain JavaScript, so that it runs the
// same under node, tsx and vitest (a worker thread does not inherit a TypeScript loader).
//
// workerData: { metric, dimension, input (graph file to extend, or null for a new graph), output,
//   capacity, m, efConstruction, randomSeed, labels (Float64Array), vectors (Float32Array, labels.length × dimension) }
// Posts { ok: true, count } when the graph is written; throws (the worker's 'error' event) otherwise.
import { parentPort, workerData } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';

const { metric, dimension, input, output, capacity, m, efConstruction, randomSeed, labels, vectors } = workerData;
const index = new hnswlib.HierarchicalNSW(metric, dimension);
if (input) {
  index.readIndexSync(input);
  if (index.getMaxElements() < capacity) index.resizeIndex(capacity);
} else {
  index.initIndex({ maxElements: capacity, m, efConstruction, randomSeed });
}
const point = new Array(dimension);
for (let i = 0; i < labels.length; i++) {
  const base = i * dimension;
  for (let j = 0; j < dimension; j++) point[j] = vectors[base + j];
  index.addPoint(point, labels[i]);
}
index.writeIndexSync(output);
parentPort.postMessage({ ok: true, count: index.getCurrentCount() });
