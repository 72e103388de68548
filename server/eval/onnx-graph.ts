import onnxProto, { type onnx as O } from 'onnx-proto';

/**
 * A few typed helpers over the ONNX protobuf schema (`onnx-proto`) for building small graphs in code:
 * the RBF kernel graph the CMMD backend runs and the randomly initialised CLIP-shaped test model. Only
 * what those need; the encoding is the standard ModelProto that every ONNX runtime loads.
 */
const { onnx } = onnxProto;
export { onnx };

export type Dim = number | string;
export type ElemType = 'float32' | 'int64';

const elemTypes: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

/** A graph input or output: its name, element type and shape (strings are symbolic dimensions). */
export function valueInfo(name: string, type: ElemType, dims: Dim[]): O.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemTypes[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

type AttrValue = number | number[] | { int: number } | { ints: number[] } | string;

/** A node; numbers become FLOAT attributes, `{ int }`/`{ ints }` INT(S), strings STRING. */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: Record<string, AttrValue> = {},
): O.INodeProto {
  const A = onnx.AttributeProto.AttributeType;
  const attribute = Object.entries(attributes).map(([name, v]): O.IAttributeProto => {
    if (typeof v === 'number') return { name, type: A.FLOAT, f: v };
    if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name, type: A.FLOATS, floats: v };
    if ('int' in v) return { name, type: A.INT, i: v.int };
    return { name, type: A.INTS, ints: v.ints };
  });
  return { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute };
}

/** A constant tensor stored in the model (weights, shapes, axes). */
export function initializer(name: string, data: Float32Array | BigInt64Array, dims: number[]): O.ITensorProto {
  const type = data instanceof Float32Array ? 'float32' : 'int64';
  return {
    name,
    dataType: elemTypes[type],
    dims,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export interface GraphSpec {
  name: string;
  inputs: O.IValueInfoProto[];
  outputs: O.IValueInfoProto[];
  nodes: O.INodeProto[];
  initializers?: O.ITensorProto[];
  /** Default opset 17 (supported by onnxruntime 1.14+ and every transformers.js release). */
  opset?: number;
}

/** Serialises a graph to ONNX model bytes. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'zipp',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: spec.name,
      node: spec.nodes,
      input: spec.inputs,
      output: spec.outputs,
      initializer: spec.initializers ?? [],
    },
  }).finish();
}
