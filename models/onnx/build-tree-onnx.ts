/**
 * Builds the ONNX ModelProto of a boosted tree ensemble with the `onnx-proto` schema classes:
 *   input float[N, inputWidth]
 *   → ai.onnx.ml TreeEnsembleRegressor (SUM of leaf values, base value = bias) → logit [N, 1]
 *   → Sigmoid                                                                  → probability [N, 1]
 * Splits are BRANCH_LEQ (x ≤ threshold goes to the true branch = the left child), as in
 * models/training/gbdt/tree-ensemble.ts. A tree model has no embedding output.
 */
import onnxProto from 'onnx-proto';
import type { InputSignature } from '../registry/model-registry.ts';
import type { TreeEnsemble } from '../training/gbdt/tree-ensemble.ts';
import { ONNX_OPSET } from './build-onnx-model.ts';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;

/** The ai.onnx.ml opset the tree ensemble is declared under. */
export const ONNX_ML_OPSET = 3;

const ints = (name: string, values: number[]) => onnx.AttributeProto.create({ name, type: A.INTS, ints: values });
const floats = (name: string, values: number[]) => onnx.AttributeProto.create({ name, type: A.FLOATS, floats: values });
const strings = (name: string, values: string[]) => onnx.AttributeProto.create({ name, type: A.STRINGS, strings: values.map((v) => new TextEncoder().encode(v)) });

function valueInfo(name: string, dims: (number | string)[]) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } });
}

function ensembleAttributes(ensemble: TreeEnsemble) {
  const n = { tree: [] as number[], node: [] as number[], feature: [] as number[], mode: [] as string[], value: [] as number[], yes: [] as number[], no: [] as number[], missing: [] as number[] };
  const t = { tree: [] as number[], node: [] as number[], id: [] as number[], weight: [] as number[] };
  ensemble.trees.forEach((tree, treeId) => {
    for (let node = 0; node < tree.feature.length; node++) {
      const leaf = (tree.feature[node] as number) < 0;
      n.tree.push(treeId);
      n.node.push(node);
      n.feature.push(leaf ? 0 : (tree.feature[node] as number));
      n.mode.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      n.value.push(leaf ? 0 : (tree.value[node] as number));
      n.yes.push(leaf ? 0 : (tree.left[node] as number));
      n.no.push(leaf ? 0 : (tree.right[node] as number));
      n.missing.push(0);
      if (leaf) { t.tree.push(treeId); t.node.push(node); t.id.push(0); t.weight.push(tree.value[node] as number); }
    }
  });
  return [
    onnx.AttributeProto.create({ name: 'aggregate_function', type: A.STRING, s: new TextEncoder().encode('SUM') }), floats('base_values', [ensemble.bias]), onnx.AttributeProto.create({ name: 'n_targets', type: A.INT, i: 1 }),
    ints('nodes_treeids', n.tree), ints('nodes_nodeids', n.node), ints('nodes_featureids', n.feature), strings('nodes_modes', n.mode),
    floats('nodes_values', n.value), ints('nodes_truenodeids', n.yes), ints('nodes_falsenodeids', n.no), ints('nodes_missing_value_tracks_true', n.missing),
    onnx.AttributeProto.create({ name: 'post_transform', type: A.STRING, s: new TextEncoder().encode('NONE') }),
    ints('target_treeids', t.tree), ints('target_nodeids', t.node), ints('target_ids', t.id), floats('target_weights', t.weight),
  ];
}

/** Encodes the ensemble as ONNX bytes named after the signature's input and probability output. */
export function buildTreeOnnxModel(ensemble: TreeEnsemble, signature: InputSignature, docString = 'almanac touch-success model (gradient-boosted trees)'): Uint8Array {
  // An ensemble without trees still needs one node: a single leaf worth 0.
  const scored = ensemble.trees.length > 0 ? ensemble : { ...ensemble, trees: [{ feature: Int32Array.of(-1), value: Float32Array.of(0), left: Int32Array.of(-1), right: Int32Array.of(-1) }] };
  const nodes = [
    onnx.NodeProto.create({ name: 'trees', opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', input: [signature.inputName], output: ['logit'], attribute: ensembleAttributes(scored) }),
    onnx.NodeProto.create({ name: 'sigmoid', opType: 'Sigmoid', input: ['logit'], output: [signature.outputs.probability] }),
  ];
  const graph = onnx.GraphProto.create({
    name: 'almanac_gbdt', node: nodes,
    input: [valueInfo(signature.inputName, ['N', signature.inputWidth])],
    output: [valueInfo(signature.outputs.probability, ['N', 1])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7, producerName: 'almanac', producerVersion: '0.1.0', docString,
    opsetImport: [{ domain: '', version: ONNX_OPSET }, { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET }], graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
