import onnxProto from 'onnx-proto';
import { ZIPP_VERSION } from '../../shared/version.ts';

const { onnx } = onnxProto;
type AttrValue = number | number[] | string;

/**
 * A few helpers over the ONNX protobuf classes for writing a graph node by node: every op returns the
 * name of its (single) output, initializers are stored as raw little-endian bytes.
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  constant(name: string, dims: number[], data: Float32Array | Int32Array | BigInt64Array): string {
    const dataType =
      data instanceof Float32Array ? onnx.TensorProto.DataType.FLOAT : data instanceof Int32Array ? onnx.TensorProto.DataType.INT32 : onnx.TensorProto.DataType.INT64;
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`initializer ${name}: ${data.length} values for shape [${dims}]`);
    this.initializers.push(
      onnx.TensorProto.create({ name, dims, dataType, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) }),
    );
    return name;
  }

  /** An int64 1-D constant (axes, shapes), named after its values. */
  ints(values: number[]): string {
    const name = `const_i64_${values.join('_').replace(/-/g, 'm')}`;
    if (!this.initializers.some((t) => t.name === name)) this.constant(name, [values.length], BigInt64Array.from(values.map(BigInt)));
    return name;
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.counter++}`;
    const attribute = Object.entries(attrs).map(([name, v]) => {
      const A = onnx.AttributeProto.AttributeType;
      if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
      return Number.isInteger(v) && !['alpha', 'epsilon'].includes(name) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
    });
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [out], attribute, name: out }));
    return out;
  }

  build(options: {
    name: string;
    inputs: { name: string; type: 'float32' | 'int32' | 'int64'; shape: (number | string)[] }[];
    outputs: { name: string; type: 'float32'; shape: (number | string)[] }[];
    metadata: Record<string, string>;
    opset: number;
    doc: string;
  }): Uint8Array {
    const elemTypes = { float32: onnx.TensorProto.DataType.FLOAT, int32: onnx.TensorProto.DataType.INT32, int64: onnx.TensorProto.DataType.INT64 };
    const valueInfo = (v: { name: string; type: 'float32' | 'int32' | 'int64'; shape: (number | string)[] }) =>
      onnx.ValueInfoProto.create({
        name: v.name,
        type: {
          tensorType: {
            elemType: elemTypes[v.type],
            shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
          },
        },
      });
    const graph = onnx.GraphProto.create({
      name: options.name,
      node: this.nodes,
      initializer: this.initializers,
      input: options.inputs.map(valueInfo),
      output: options.outputs.map(valueInfo),
      docString: options.doc,
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: options.opset }],
      producerName: 'zipp',
      producerVersion: ZIPP_VERSION,
      graph,
      metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
