import { ONNX_IO, ONNX_METADATA } from '../../shared/encoder/manifest.ts';
import type { EncoderConfig } from './config.ts';
import { headBlocks, LN_EPSILON, MASK_PENALTY, NORM_EPSILON } from './gatv2.ts';
import { OnnxGraphBuilder } from './onnx-builder.ts';
import { layerNames } from './params.ts';

/**
 * Writes the trained encoder as one ONNX graph (opset 17, dynamic batch and neighbourhood width, dense ops
 * only — Gather, MatMul, LayerNormalization, elementwise, Reduce*, Where; no scatter, int32 indices) that
 * mirrors gatv2.ts op for op. Everything that does not depend on the user is precomputed into initializers:
 * each layer's source values for the whole vocabulary, and the first layer's query (the user state starts
 * from the same learned vector for everyone). Unknown communities arrive as raw features in
 * `extra_features` and go through the community branch inside the graph; ids ≥ V select them. A
 * structure-only model (no text features) has no such input: it only knows its vocabulary.
 */
export interface ExportInput {
  cfg: EncoderConfig;
  weights: Map<string, [number[], Float32Array]>;
  /** Per layer [V, H] source values. */
  tables: Float32Array[];
  /** First-layer query LN(h⁰) W_dst + b_dst, [H]. */
  firstQuery: Float32Array;
  vocabularySize: number;
  featureDim: number;
  vocabularyHash: string;
}

export const ONNX_OPSET = 17;

export function exportOnnx(input: ExportInput): Uint8Array {
  const { cfg, weights } = input;
  const H = cfg.hidden;
  const V = input.vocabularySize;
  const g = new OnnxGraphBuilder();
  const w = (name: string) => {
    const v = weights.get(name);
    if (!v) throw new Error(`cannot export: weights lack "${name}"`);
    return g.constant(name, v[0], v[1]);
  };
  const f32 = (name: string, dims: number[], data: Float32Array) => g.constant(name, dims, data);
  const axis1 = g.ints([1]);
  const axis2 = g.ints([2]);
  const lastAxis = g.ints([-1]);

  // Which slots point at unknown communities, and their row in each table. A structure-only model
  // (featureDim 0) has no text path: no extra_features input, every id is a vocabulary row.
  const textPath = input.featureDim > 0;
  let tableIds: string = ONNX_IO.ids;
  let extraIds = '';
  let isExtra3 = '';
  let extraHidden = '';
  if (textPath) {
    const vConst = g.constant('vocabulary_size', [], Int32Array.of(V));
    const zeroI = g.constant('zero_i32', [], Int32Array.of(0));
    const isExtra = g.op('GreaterOrEqual', [ONNX_IO.ids, vConst]);
    tableIds = g.op('Where', [isExtra, zeroI, ONNX_IO.ids]);
    extraIds = g.op('Where', [isExtra, g.op('Sub', [ONNX_IO.ids, vConst]), zeroI]);
    isExtra3 = g.op('Unsqueeze', [isExtra, axis2]);
    extraHidden = g.op('Add', [g.op('MatMul', [ONNX_IO.extra, w('input.kernel')]), w('input.bias')]);
  }
  const penalty = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [f32('one', [], Float32Array.of(1)), ONNX_IO.mask]), f32('mask_penalty', [], Float32Array.of(MASK_PENALTY))]), axis2]);
  const blocks = f32('head_blocks', [cfg.heads, H], headBlocks(H, cfg.heads));

  let h = w('user.init');
  const attention: string[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const n = layerNames(l);
    const known = g.op('Gather', [f32(`layer${l}.values`, [V, H], input.tables[l]!), tableIds], { axis: 0 });
    let values = known;
    if (textPath) {
      const extraNormed = g.op('LayerNormalization', [extraHidden, w(n.srcGamma), w(n.srcBeta)], { axis: -1, epsilon: LN_EPSILON });
      const extraValues = g.op('Add', [g.op('MatMul', [extraNormed, w(n.srcKernel)]), w(n.srcBias)]);
      values = g.op('Where', [isExtra3, g.op('Gather', [extraValues, extraIds], { axis: 0 }), known]);
    }
    let query: string;
    if (l === 0) query = f32('layer0.query', [H], input.firstQuery);
    else {
      const normed = g.op('LayerNormalization', [h, w(n.dstGamma), w(n.dstBeta)], { axis: -1, epsilon: LN_EPSILON });
      query = g.op('Unsqueeze', [g.op('Add', [g.op('MatMul', [normed, w(n.dstKernel)]), w(n.dstBias)]), axis1]);
    }
    const edge = g.op('MatMul', [ONNX_IO.edges, w(n.edgeKernel)]);
    const hiddenScores = g.op('LeakyRelu', [g.op('Add', [g.op('Add', [values, query]), edge])], { alpha: 0.2 });
    // A = a ⊙ Rᵀ, [H, heads], computed here once so the graph holds the plain matrix.
    const a = weights.get(n.attention)![1];
    const A = new Float32Array(H * cfg.heads);
    const size = H / cfg.heads;
    for (let d = 0; d < H; d++) A[d * cfg.heads + Math.floor(d / size)] = a[d]!;
    const logits = g.op('Add', [g.op('MatMul', [hiddenScores, f32(`layer${l}.attention_matrix`, [H, cfg.heads], A)]), penalty]);
    const shifted = g.op('Sub', [logits, g.op('ReduceMax', [logits], { axes: [1], keepdims: 1 })]);
    const e = g.op('Exp', [shifted]);
    const alpha = g.op('Div', [e, g.op('ReduceSum', [e, axis1], { keepdims: 1 })]);
    attention.push(g.op('Unsqueeze', [g.op('Transpose', [alpha], { perm: [0, 2, 1] }), axis1]));
    const message = g.op('ReduceSum', [g.op('Mul', [g.op('MatMul', [alpha, blocks]), values]), axis1], { keepdims: 0 });
    h = g.op('Add', [h, g.op('Add', [g.op('MatMul', [message, w(n.outKernel)]), w(n.outBias)])]);
  }
  const u = g.op('Add', [g.op('MatMul', [h, w('user_head.kernel')]), w('user_head.bias')]);
  const norm = g.op('Sqrt', [g.op('Add', [g.op('ReduceSum', [g.op('Mul', [u, u]), lastAxis], { keepdims: 1 }), f32('norm_epsilon', [], Float32Array.of(NORM_EPSILON))])]);
  g.op('Div', [u, norm], {}, ONNX_IO.embedding);
  if (attention.length === 1) g.op('Identity', [attention[0]!], {}, ONNX_IO.attention);
  else g.op('Concat', attention, { axis: 1 }, ONNX_IO.attention);

  return g.build({
    name: 'zipp_gatv2_encoder',
    opset: ONNX_OPSET,
    doc: `ZIPP GATv2 community encoder: ${cfg.layers} layers x ${cfg.heads} heads, hidden ${H}, vocabulary ${V}.`,
    inputs: [
      { name: ONNX_IO.ids, type: 'int32', shape: ['batch', 'width'] },
      { name: ONNX_IO.edges, type: 'float32', shape: ['batch', 'width', 2] },
      { name: ONNX_IO.mask, type: 'float32', shape: ['batch', 'width'] },
      ...(textPath ? [{ name: ONNX_IO.extra, type: 'float32' as const, shape: ['extra', input.featureDim] }] : []),
    ],
    outputs: [
      { name: ONNX_IO.embedding, type: 'float32', shape: ['batch', H] },
      { name: ONNX_IO.attention, type: 'float32', shape: ['batch', cfg.layers, cfg.heads, 'width'] },
    ],
    metadata: { [ONNX_METADATA.vocabularyHash]: input.vocabularyHash, [ONNX_METADATA.hidden]: String(H), [ONNX_METADATA.featureDim]: String(input.featureDim) },
  });
}
