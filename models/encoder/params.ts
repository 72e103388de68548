import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../../shared/encoder/random.ts';
import type { EncoderConfig } from './config.ts';

/**
 * The encoder's trainable tensors by name. Initialised from the seeded PRNG (not TensorFlow.js' own
 * random ops) so a seed gives the same model on every backend and machine.
 */
export type Params = Map<string, tf.Variable>;

export interface ParamShapes {
  featureDim: number;
  communities: number;
  imageDim?: number;
  /** Initial community bias (e.g. log popularity), so training starts from the popularity ranking. */
  initialBias?: Float32Array;
  /** [communities × EncoderConfig.votes] initial co-membership vote weights (logit units), when votes are on. */
  initialVotes?: Float32Array;
}

function glorot(rng: Rng, rows: number, cols: number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * limit);
}
const normal = (rng: Rng, n: number, std: number) => Float32Array.from({ length: n }, () => rng.normal() * std);
const constant = (n: number, v: number) => new Float32Array(n).fill(v);

export function layerNames(l: number) {
  const p = `layer${l}`;
  return {
    srcGamma: `${p}.src_norm.gamma`,
    srcBeta: `${p}.src_norm.beta`,
    dstGamma: `${p}.dst_norm.gamma`,
    dstBeta: `${p}.dst_norm.beta`,
    srcKernel: `${p}.src.kernel`,
    srcBias: `${p}.src.bias`,
    dstKernel: `${p}.dst.kernel`,
    dstBias: `${p}.dst.bias`,
    edgeKernel: `${p}.edge.kernel`,
    attention: `${p}.attention`,
    outKernel: `${p}.out.kernel`,
    outBias: `${p}.out.bias`,
  };
}

/** Name → [shape, initial values] of every parameter. */
export function initialValues(cfg: EncoderConfig, shapes: ParamShapes): Map<string, [number[], Float32Array]> {
  const rng = createRng(cfg.seed);
  const H = cfg.hidden;
  const v = new Map<string, [number[], Float32Array]>();
  // A structure-only model (featureDim 0) has no text projection: communities are their free vectors.
  if (shapes.featureDim > 0) v.set('input.kernel', [[shapes.featureDim, H], glorot(rng, shapes.featureDim, H)]);
  v.set('input.bias', [[H], constant(H, 0)]);
  // Free per-community vectors (collaborative signal the descriptions do not carry).
  v.set('community.id', [[shapes.communities, H], normal(rng, shapes.communities * H, 0.05)]);
  // Per-community prior added to the match score: lets the model keep popularity apart from taste.
  v.set('community.bias', [[shapes.communities], shapes.initialBias ? Float32Array.from(shapes.initialBias) : constant(shapes.communities, 0)]);
  if (cfg.votes > 0) {
    if (!shapes.initialVotes || shapes.initialVotes.length !== shapes.communities * cfg.votes) throw new Error('co-membership votes need their initial weights (ParamShapes.initialVotes)');
    v.set('community.votes', [[shapes.communities, cfg.votes], Float32Array.from(shapes.initialVotes)]);
  }
  v.set('user.init', [[H], normal(rng, H, 0.1)]);
  for (let l = 0; l < cfg.layers; l++) {
    const n = layerNames(l);
    v.set(n.srcGamma, [[H], constant(H, 1)]);
    v.set(n.srcBeta, [[H], constant(H, 0)]);
    v.set(n.dstGamma, [[H], constant(H, 1)]);
    v.set(n.dstBeta, [[H], constant(H, 0)]);
    v.set(n.srcKernel, [[H, H], glorot(rng, H, H)]);
    v.set(n.srcBias, [[H], constant(H, 0)]);
    v.set(n.dstKernel, [[H, H], glorot(rng, H, H)]);
    v.set(n.dstBias, [[H], constant(H, 0)]);
    v.set(n.edgeKernel, [[2, H], glorot(rng, 2, H)]);
    v.set(n.attention, [[H], normal(rng, H, Math.sqrt(1 / (H / cfg.heads)))]);
    v.set(n.outKernel, [[H, H], glorot(rng, H, H)]);
    v.set(n.outBias, [[H], constant(H, 0)]);
  }
  v.set('user_head.kernel', [[H, H], glorot(rng, H, H)]);
  v.set('user_head.bias', [[H], constant(H, 0)]);
  v.set('community_head.kernel', [[H, H], glorot(rng, H, H)]);
  v.set('community_head.bias', [[H], constant(H, 0)]);
  if (shapes.imageDim) {
    v.set('image_head.kernel', [[H, shapes.imageDim], glorot(rng, H, shapes.imageDim)]);
    v.set('image_head.bias', [[shapes.imageDim], constant(shapes.imageDim, 0)]);
  }
  return v;
}

let instances = 0;

/** Variables get a per-model prefix: TensorFlow.js refuses two live variables with one name. */
export function createParams(values: Map<string, [number[], Float32Array]>): Params {
  const prefix = `zipp${instances++}`;
  return new Map(
    [...values].map(([name, [shape, data]]) => {
      const initial = tf.tensor(data, shape);
      const v = tf.variable(initial, true, `${prefix}/${name}`);
      initial.dispose(); // the variable holds its own reference to the data
      return [name, v];
    }),
  );
}

/** Copies every parameter out of TensorFlow.js. */
export function readParams(params: Params): Map<string, [number[], Float32Array]> {
  return new Map([...params].map(([name, p]) => [name, [p.shape.slice(), p.dataSync() as Float32Array]]));
}

export function param(params: Params, name: string): tf.Variable {
  const p = params.get(name);
  if (!p) throw new Error(`encoder weights lack "${name}"; the checkpoint comes from another model version`);
  return p;
}

/** One binary blob (float32, little-endian) plus a JSON index: how weights are checkpointed and shipped. */
export interface WeightIndex {
  name: string;
  shape: number[];
  offset: number;
}

export function packWeights(values: Map<string, [number[], Float32Array]>): { index: WeightIndex[]; data: Uint8Array } {
  const index: WeightIndex[] = [];
  let total = 0;
  for (const [name, [shape, data]] of values) {
    index.push({ name, shape, offset: total });
    total += data.length;
  }
  const out = new Float32Array(total);
  let o = 0;
  for (const [, [, data]] of values) {
    out.set(data, o);
    o += data.length;
  }
  return { index, data: new Uint8Array(out.buffer) };
}

export function unpackWeights(index: readonly WeightIndex[], bytes: Uint8Array): Map<string, [number[], Float32Array]> {
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return new Map(
    index.map(({ name, shape, offset }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      if (offset + size > all.length) throw new Error(`weights file is truncated at "${name}"`);
      return [name, [shape, all.slice(offset, offset + size)]];
    }),
  );
}
