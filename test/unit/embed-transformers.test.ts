import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../models/encoder/onnx-builder.ts';
import { embedderFromConfig } from '../../shared/embed/from-config.ts';
import { TransformersEmbedder } from '../../shared/embed/transformers.ts';

/**
 * The transformers.js feature-extraction embedder on a real (tiny) BERT-layout model folder written by the
 * test: a WordPiece tokenizer.json, config.json and an ONNX graph whose last_hidden_state is a token
 * embedding lookup. transformers.js loads it from a local models folder exactly as it loads a downloaded one.
 */
const root = mkdtempSync(path.join(tmpdir(), 'zipp-transformers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const words = ['photography', 'film', 'camera', 'lens', 'football', 'league', 'recipe', 'kitchen'];
const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...words];
const H = 6;
const table = Float32Array.from({ length: vocab.length * H }, (_, i) => Math.sin(i * 1.7) + (Math.floor(i / H) % 3) * 0.3);

function writeTinyBert(dir: string): void {
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  writeFileSync(
    path.join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((t, i) => special(t, i)),
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
        pair: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: '[SEP]', type_id: 1 } },
        ],
        special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
    }),
  );
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 64, pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]' }),
  );
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: H, num_attention_heads: 1, num_hidden_layers: 1, vocab_size: vocab.length, max_position_embeddings: 64 }),
  );
  const g = new OnnxGraphBuilder();
  g.constant('token_embeddings', [vocab.length, H], table);
  g.op('Gather', ['token_embeddings', 'input_ids'], { axis: 0 }, 'last_hidden_state');
  writeFileSync(
    path.join(dir, 'onnx', 'model.onnx'),
    g.build({
      name: 'tiny_bert',
      opset: 17,
      doc: 'token lookup standing in for a BERT encoder (test fixture)',
      inputs: [
        { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] },
        { name: 'attention_mask', type: 'int64', shape: ['batch', 'sequence'] },
      ],
      outputs: [{ name: 'last_hidden_state', type: 'float32', shape: ['batch', 'sequence', H] }],
      metadata: {},
    }),
  );
}

function expected(tokens: number[]): number[] {
  const v = new Array<number>(H).fill(0);
  for (const t of tokens) for (let d = 0; d < H; d++) v[d]! += table[t * H + d]! / tokens.length;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('transformers.js embedder', () => {
  it('mean-pools token states of a local feature-extraction model into unit vectors', async () => {
    writeTinyBert(path.join(root, 'tiny-bert'));
    const embedder = await TransformersEmbedder.load({ model: 'tiny-bert', localModelPath: root, batchSize: 2 });
    expect(embedder.dimension).toBe(H);
    const [a, b, c] = await embedder.embed(['Photography lens', 'film camera', 'kitchen']);
    // [CLS] photography lens [SEP] → ids 2, 4, 7, 3 (padding of the shorter text is masked out).
    Array.from(a!).forEach((x, i) => expect(x).toBeCloseTo(expected([2, 4, 7, 3])[i]!, 5));
    Array.from(b!).forEach((x, i) => expect(x).toBeCloseTo(expected([2, 5, 6, 3])[i]!, 5));
    Array.from(c!).forEach((x, i) => expect(x).toBeCloseTo(expected([2, 11, 3])[i]!, 5));
    expect(embedder.describe()).toEqual({ kind: 'transformers', model: 'tiny-bert', dimension: H, pooling: 'mean' });
    const again = await embedderFromConfig(embedder.describe(), { transformers: { localModelPath: root } });
    expect(Array.from((await again!.embed(['kitchen']))[0]!)).toEqual(Array.from(c!));
  }, 60_000);
});
