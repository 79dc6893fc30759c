/**
 * Builds the ONNX ModelProto of a dense network with the `onnx-proto` schema classes:
 *   input  float[N, inputWidth]
 *   → (Gemm → Relu) per hidden layer   — the last Relu is also output `embedding` [N, width]
 *   → Gemm → Sigmoid                   — output `probability` [N, 1]
 * Kernels are stored as [inputs × units] (TF.js layout), so Gemm uses transB = 0: Y = X·B + C.
 */
import onnxProto from 'onnx-proto';
import type { InputSignature } from '../registry/model-registry.ts';
import type { NetworkWeights } from '../training/network.ts';

const { onnx } = onnxProto;
type NodeSpec = ConstructorParameters<typeof onnx.NodeProto>[0];

export const ONNX_OPSET = 13;

function floatTensor(name: string, dims: number[], values: Float32Array) {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) });
}

function valueInfo(name: string, dims: (number | string)[]) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } },
  });
}

function gemm(input: string, layer: number, output: string): NodeSpec {
  return {
    name: `gemm_${layer}`, opType: 'Gemm', input: [input, `W${layer}`, `B${layer}`], output: [output],
    attribute: [onnx.AttributeProto.create({ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
  };
}

/** Encodes the network as ONNX bytes named after the signature's input and outputs. */
export function buildOnnxModel(network: NetworkWeights, signature: InputSignature, docString = 'almanac touch-success model'): Uint8Array {
  const nodes: NodeSpec[] = [];
  const initializer = network.layers.flatMap((l, i) => [floatTensor(`W${i}`, [l.inputs, l.units], l.kernel), floatTensor(`B${i}`, [l.units], l.bias)]);
  let current = signature.inputName;
  const last = network.layers.length - 1;
  network.layers.forEach((_, i) => {
    if (i < last) {
      nodes.push(gemm(current, i, `z${i}`));
      const relu = i === last - 1 && signature.outputs.embedding ? signature.outputs.embedding : `h${i}`;
      nodes.push({ name: `relu_${i}`, opType: 'Relu', input: [`z${i}`], output: [relu] });
      current = relu;
    } else {
      nodes.push(gemm(current, i, 'logit'));
      nodes.push({ name: 'sigmoid', opType: 'Sigmoid', input: ['logit'], output: [signature.outputs.probability] });
    }
  });
  const outputs = [valueInfo(signature.outputs.probability, ['N', 1])];
  if (signature.outputs.embedding && signature.embeddingWidth) outputs.push(valueInfo(signature.outputs.embedding, ['N', signature.embeddingWidth]));
  const graph = onnx.GraphProto.create({
    name: 'almanac_mlp',
    node: nodes.map((n) => onnx.NodeProto.create(n)),
    initializer,
    input: [valueInfo(signature.inputName, ['N', signature.inputWidth])],
    output: outputs,
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'almanac',
    producerVersion: '0.1.0',
    docString,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
