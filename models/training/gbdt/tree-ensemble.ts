/**
 * A boosted tree ensemble as plain arrays: binary trees over the encoded input columns, each
 * split `x[feature] ≤ threshold` going left, leaves holding a logit contribution. The score of a
 * row is sigmoid(bias + Σ leaf values). The same trees run in JS (training, evaluation) and in
 * ONNX (ai.onnx.ml TreeEnsembleRegressor + Sigmoid, for serving). Thresholds and leaf values are
 * float32 numbers, so both sides compare and add the same values.
 */

export interface RegressionTree {
  /** Per node: the input column split on, or −1 for a leaf. */
  feature: Int32Array;
  /** Per node: split threshold (x ≤ threshold goes left); the leaf value for a leaf. */
  value: Float32Array;
  /** Per node: index of the left / right child (−1 for a leaf). */
  left: Int32Array;
  right: Int32Array;
}

export interface TreeEnsemble {
  /** Width of the encoded input the trees read. */
  inputs: number;
  /** Initial logit (log-odds of the training base rate). */
  bias: number;
  trees: RegressionTree[];
}

/** The leaf value row `x[base…]` reaches in `tree`. */
export function leafValue(tree: RegressionTree, x: ArrayLike<number>, base: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    node = (x[base + f] as number) <= (tree.value[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
  }
}

/**
 * The logit of one row, summed in float32 in tree order and the bias added last, as
 * onnxruntime's TreeEnsembleRegressor does, so JS and ONNX agree to float rounding.
 */
export function ensembleLogit(ensemble: TreeEnsemble, x: ArrayLike<number>, base: number): number {
  let z = 0;
  for (const tree of ensemble.trees) z = Math.fround(z + leafValue(tree, x, base));
  return Math.fround(z + ensemble.bias);
}

/** Probabilities of `rows` encoded rows (row-major, `ensemble.inputs` floats each). */
export function predictEnsemble(ensemble: TreeEnsemble, x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows);
  const width = ensemble.inputs;
  for (let r = 0; r < rows; r++) {
    out[r] = 1 / (1 + Math.exp(-ensembleLogit(ensemble, x, r * width)));
  }
  return out;
}
