import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeModel, initializer, node, valueInfo } from './onnx-graph.ts';

/**
 * Writes a randomly initialised CLIP-shaped model in the layout of a transformers.js CLIP export
 * (Xenova/clip-vit-*): config.json, tokenizer.json + tokenizer_config.json (byte-level BPE with `</w>`
 * word ends, CLIP's normaliser and pre-tokeniser, start/end tokens), preprocessor_config.json
 * (CLIPImageProcessor) and onnx/text_model.onnx, onnx/vision_model.onnx with the export's inputs and
 * outputs (input_ids → text_embeds, last_hidden_state; pixel_values → image_embeds, last_hidden_state).
 * Tests and the throughput benchmark load it through exactly the code path a real ViT-L/14 takes; only the
 * weights (random) and the sizes (tiny) differ. The embeddings are deterministic but meaningless.
 */
export interface TinyClipOptions {
  seed?: number;
  /** Width of the shared embedding space (ViT-L/14: 768). */
  projectionDim?: number;
  hidden?: number;
  imageSize?: number;
  patchSize?: number;
}

const CONTEXT = 77;
const BOS = '<|startoftext|>';
const EOS = '<|endoftext|>';
/** A few merges so that common words become single tokens, as in the real vocabulary. */
const MERGES = ['t h', 'th e</w>', 'a n', 'an d</w>', 'o f</w>', 'c a', 'ca t</w>', 'd o', 'do g</w>', 'i n', 'o n</w>', 'e r</w>'];

export async function writeTinyClip(dir: string, options: TinyClipOptions = {}): Promise<void> {
  const { seed = 1, projectionDim = 8, hidden = 16, imageSize = 32, patchSize = 8 } = options;
  const random = gaussian(seed);
  const { vocab, merges } = bpeVocabulary();
  const vocabSize = Object.keys(vocab).length;
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const json = (name: string, value: unknown) => writeFile(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  await Promise.all([
    json('config.json', clipConfig({ vocabSize, projectionDim, hidden, imageSize, patchSize })),
    json('tokenizer.json', tokenizerJson(vocab, merges)),
    json('tokenizer_config.json', {
      add_prefix_space: false,
      bos_token: BOS,
      clean_up_tokenization_spaces: true,
      do_lower_case: true,
      eos_token: EOS,
      errors: 'replace',
      model_max_length: CONTEXT,
      pad_token: EOS,
      tokenizer_class: 'CLIPTokenizer',
      unk_token: EOS,
    }),
    json('special_tokens_map.json', { bos_token: BOS, eos_token: EOS, pad_token: EOS, unk_token: EOS }),
    json('preprocessor_config.json', {
      crop_size: { height: imageSize, width: imageSize },
      do_center_crop: true,
      do_convert_rgb: true,
      do_normalize: true,
      do_rescale: true,
      do_resize: true,
      feature_extractor_type: 'CLIPFeatureExtractor',
      image_mean: [0.48145466, 0.4578275, 0.40821073],
      image_processor_type: 'CLIPImageProcessor',
      image_std: [0.26862954, 0.26130258, 0.27577711],
      resample: 3,
      rescale_factor: 1 / 255,
      size: { shortest_edge: imageSize },
    }),
    writeFile(join(dir, 'onnx', 'text_model.onnx'), textModel(random, vocabSize, hidden, projectionDim)),
    writeFile(join(dir, 'onnx', 'vision_model.onnx'), visionModel(random, hidden, projectionDim, imageSize, patchSize)),
  ]);
}

function clipConfig(o: { vocabSize: number; projectionDim: number; hidden: number; imageSize: number; patchSize: number }) {
  const common = { hidden_size: o.hidden, intermediate_size: 2 * o.hidden, num_attention_heads: 2, num_hidden_layers: 1, projection_dim: o.projectionDim, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5 };
  return {
    _name_or_path: 'zipp/tiny-random-clip',
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: o.projectionDim,
    logit_scale_init_value: 2.6592,
    text_config: { ...common, model_type: 'clip_text_model', vocab_size: o.vocabSize, max_position_embeddings: CONTEXT, bos_token_id: o.vocabSize - 2, eos_token_id: o.vocabSize - 1, pad_token_id: 1 },
    vision_config: { ...common, model_type: 'clip_vision_model', image_size: o.imageSize, patch_size: o.patchSize, num_channels: 3 },
    transformers_version: '4.44.0',
  };
}

/** GPT-2's reversible map from bytes to printable characters, which CLIP's byte-level BPE uses. */
function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const chars: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCharCode(keep.includes(b) ? b : 256 + extra++);
  return chars;
}

/** CLIP's vocabulary order: the 256 byte characters, the same with `</w>`, merge results, then the specials. */
function bpeVocabulary(): { vocab: Record<string, number>; merges: string[] } {
  const chars = bytesToUnicode();
  const tokens = [...chars, ...chars.map((c) => `${c}</w>`), ...MERGES.map((m) => m.replace(' ', '')), BOS, EOS];
  return { vocab: Object.fromEntries(tokens.map((t, i) => [t, i])), merges: MERGES };
}

function tokenizerJson(vocab: Record<string, number>, merges: string[]) {
  const special = (content: string) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(BOS), special(EOS)],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: [EOS, vocab[EOS]], cls: [BOS, vocab[BOS]], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: EOS,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

type Random = () => number;

/** Deterministic N(0, 1) samples (LCG + Box–Muller), so a seed always yields the same weights. */
function gaussian(seed: number): Random {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const weights = (random: Random, size: number, scale: number) => Float32Array.from({ length: size }, () => scale * random());
const i64 = (...values: number[]) => BigInt64Array.from(values.map(BigInt));

/**
 * Token + position embeddings, a causal running sum standing in for CLIP's causal self-attention (each
 * position sees itself and what precedes it, so padding after the text changes nothing), one dense tanh
 * layer, LayerNorm, then CLIP's pooling: the hidden state at the end-of-text token (the highest id, found
 * with ArgMax as the real export does), projected.
 */
function textModel(random: Random, vocabSize: number, hidden: number, proj: number): Uint8Array {
  return encodeModel({
    name: 'tiny_clip_text',
    inputs: [valueInfo('input_ids', 'int64', ['text_batch_size', 'sequence_length'])],
    outputs: [
      valueInfo('text_embeds', 'float32', ['text_batch_size', proj]),
      valueInfo('last_hidden_state', 'float32', ['text_batch_size', 'sequence_length', hidden]),
    ],
    initializers: [
      initializer('token_embedding', weights(random, vocabSize * hidden, 0.5), [vocabSize, hidden]),
      initializer('position_embedding', weights(random, CONTEXT * hidden, 0.1), [CONTEXT, hidden]),
      initializer('dense_w', weights(random, hidden * hidden, 1 / Math.sqrt(hidden)), [hidden, hidden]),
      initializer('dense_b', weights(random, hidden, 0.1), [hidden]),
      initializer('ln_scale', new Float32Array(hidden).fill(1), [hidden]),
      initializer('ln_bias', new Float32Array(hidden), [hidden]),
      initializer('text_projection', weights(random, hidden * proj, 1 / Math.sqrt(hidden)), [hidden, proj]),
      initializer('zero', i64(0), [1]),
      initializer('one_index', i64(1), []),
      initializer('axis0', i64(0), [1]),
      initializer('axis1', i64(1), [1]),
      initializer('axis1_scalar', i64(1), []),
      initializer('axis2', i64(2), [1]),
      initializer('keep_batch_and_hidden', i64(1, 0, 1), [3]),
      initializer('one_in_middle', i64(0, 1, 0), [3]),
    ],
    nodes: [
      node('Gather', ['token_embedding', 'input_ids'], ['tokens']),
      node('Shape', ['input_ids'], ['ids_shape']),
      node('Gather', ['ids_shape', 'one_index'], ['seq_len']),
      node('Unsqueeze', ['seq_len', 'axis0'], ['seq_len_1d']),
      node('Slice', ['position_embedding', 'zero', 'seq_len_1d', 'axis0'], ['positions']),
      node('Add', ['tokens', 'positions'], ['embedded']),
      node('CumSum', ['embedded', 'axis1_scalar'], ['causal']),
      node('MatMul', ['causal', 'dense_w'], ['dense']),
      node('Add', ['dense', 'dense_b'], ['dense_biased']),
      node('Tanh', ['dense_biased'], ['activated']),
      node('LayerNormalization', ['activated', 'ln_scale', 'ln_bias'], ['last_hidden_state'], { axis: { int: -1 }, epsilon: 1e-5 }),
      node('ArgMax', ['input_ids'], ['eot_index'], { axis: { int: 1 }, keepdims: { int: 1 } }),
      node('Unsqueeze', ['eot_index', 'axis2'], ['eot_index_3d']),
      node('Shape', ['last_hidden_state'], ['hidden_shape']),
      node('Mul', ['hidden_shape', 'keep_batch_and_hidden'], ['gather_shape_0']),
      node('Add', ['gather_shape_0', 'one_in_middle'], ['gather_shape']),
      node('Expand', ['eot_index_3d', 'gather_shape'], ['eot_gather_index']),
      node('GatherElements', ['last_hidden_state', 'eot_gather_index'], ['pooled_3d'], { axis: { int: 1 } }),
      node('Squeeze', ['pooled_3d', 'axis1'], ['pooled']),
      node('MatMul', ['pooled', 'text_projection'], ['text_embeds']),
    ],
  });
}

/** Patch embedding (a strided convolution), positions, one dense tanh layer, mean pooling, projection. */
function visionModel(random: Random, hidden: number, proj: number, imageSize: number, patch: number): Uint8Array {
  const patches = (imageSize / patch) ** 2;
  return encodeModel({
    name: 'tiny_clip_vision',
    inputs: [valueInfo('pixel_values', 'float32', ['batch_size', 3, imageSize, imageSize])],
    outputs: [
      valueInfo('image_embeds', 'float32', ['batch_size', proj]),
      valueInfo('last_hidden_state', 'float32', ['batch_size', patches, hidden]),
    ],
    initializers: [
      initializer('patch_w', weights(random, hidden * 3 * patch * patch, 1 / Math.sqrt(3 * patch * patch)), [hidden, 3, patch, patch]),
      initializer('patch_grid_shape', i64(0, hidden, -1), [3]),
      initializer('position_embedding', weights(random, patches * hidden, 0.1), [patches, hidden]),
      initializer('dense_w', weights(random, hidden * hidden, 1 / Math.sqrt(hidden)), [hidden, hidden]),
      initializer('dense_b', weights(random, hidden, 0.1), [hidden]),
      initializer('ln_scale', new Float32Array(hidden).fill(1), [hidden]),
      initializer('ln_bias', new Float32Array(hidden), [hidden]),
      initializer('visual_projection', weights(random, hidden * proj, 1 / Math.sqrt(hidden)), [hidden, proj]),
    ],
    nodes: [
      node('Conv', ['pixel_values', 'patch_w'], ['patch_grid'], { kernel_shape: { ints: [patch, patch] }, strides: { ints: [patch, patch] } }),
      node('Reshape', ['patch_grid', 'patch_grid_shape'], ['patch_rows']),
      node('Transpose', ['patch_rows'], ['patch_tokens'], { perm: { ints: [0, 2, 1] } }),
      node('Add', ['patch_tokens', 'position_embedding'], ['embedded']),
      node('MatMul', ['embedded', 'dense_w'], ['dense']),
      node('Add', ['dense', 'dense_b'], ['dense_biased']),
      node('Tanh', ['dense_biased'], ['last_hidden_state']),
      node('ReduceMean', ['last_hidden_state'], ['pooled_raw'], { axes: { ints: [1] }, keepdims: { int: 0 } }),
      node('LayerNormalization', ['pooled_raw', 'ln_scale', 'ln_bias'], ['pooled'], { axis: { int: -1 }, epsilon: 1e-5 }),
      node('MatMul', ['pooled', 'visual_projection'], ['image_embeds']),
    ],
  });
}
