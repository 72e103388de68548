import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  AutoImageProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  RawImage,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { embeddingMatrix, type EmbeddingMatrix } from '../../shared/metrics/embeddings.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * CLIP image and text embeddings for evaluation (CLIPScore, CMMD) through @huggingface/transformers on
 * onnxruntime-node. The default is ViT-L/14, the backbone torchmetrics' CLIPScore and the CMMD reference
 * use; any transformers.js CLIP export works, from the hub or from a local directory holding config.json,
 * tokenizer files, preprocessor_config.json and onnx/{text,vision}_model.onnx.
 */
export const DEFAULT_CLIP_MODEL = 'Xenova/clip-vit-large-patch14';

export interface ClipOptions {
  /** Hub id or local directory; default ZIPP_CLIP_MODEL, else ViT-L/14. */
  model?: string;
  /** Where hub downloads are cached (default: transformers.js' cache under node_modules). */
  cacheDir?: string;
  /** Weights variant: fp32 (default, what published scores use), fp16 or q8 where the export has them. */
  dtype?: 'fp32' | 'fp16' | 'q8';
  /** Inputs per forward pass (default 16). */
  batchSize?: number;
}

/** An image given as encoded bytes (PNG, JPEG, WebP) or a file path. */
export type ImageInput = Uint8Array | string;

export type Progress = (done: number, total: number) => void;

type TextModel = Awaited<ReturnType<typeof CLIPTextModelWithProjection.from_pretrained>>;
type VisionModel = Awaited<ReturnType<typeof CLIPVisionModelWithProjection.from_pretrained>>;
type ImageProcessor = Awaited<ReturnType<typeof AutoImageProcessor.from_pretrained>>;

export class ClipEmbedder {
  private text?: Promise<{ tokenizer: PreTrainedTokenizer; model: TextModel }>;
  private vision?: Promise<{ processor: ImageProcessor; model: VisionModel }>;

  private constructor(
    /** The hub id or the absolute directory the model loads from. */
    readonly model: string,
    private readonly loadOptions: Record<string, unknown>,
    private readonly batchSize: number,
  ) {}

  /**
   * Resolves the model location; the text and vision towers load on first use, so CLIPScore on
   * precomputed image embeddings never pays for the vision model.
   */
  static create(options: ClipOptions = {}, env: NodeJS.ProcessEnv = process.env): ClipEmbedder {
    const requested = options.model ?? env.ZIPP_CLIP_MODEL ?? DEFAULT_CLIP_MODEL;
    const dir = resolve(requested);
    const local = existsSync(dir);
    if (local && !statSync(dir).isDirectory()) throw new InputError(`CLIP model ${requested} is a file; give the model directory`);
    if (local && !existsSync(resolve(dir, 'config.json'))) {
      throw new InputError(`CLIP model directory ${requested} has no config.json; point at a transformers.js CLIP export`);
    }
    const batchSize = options.batchSize ?? 16;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new InputError(`CLIP batch size must be a whole number ≥ 1, got ${batchSize}`);
    return new ClipEmbedder(
      local ? dir : requested,
      {
        dtype: options.dtype ?? 'fp32',
        device: 'cpu',
        ...(local ? { local_files_only: true } : {}),
        ...(options.cacheDir ? { cache_dir: options.cacheDir } : {}),
      },
      batchSize,
    );
  }

  /** One L2-comparable text embedding per text (CLIP truncates to its 77-token context). */
  async embedTexts(texts: readonly string[], onProgress?: Progress): Promise<EmbeddingMatrix> {
    if (texts.length === 0) throw new InputError('no texts to embed');
    this.text ??= (async () => ({
      tokenizer: await AutoTokenizer.from_pretrained(this.model, this.loadOptions),
      model: await CLIPTextModelWithProjection.from_pretrained(this.model, this.loadOptions),
    }))();
    const { tokenizer, model } = await this.text;
    return this.batched(texts, onProgress, async (batch) => {
      const inputs = tokenizer(batch as string[], { padding: true, truncation: true }) as { input_ids: TensorLike };
      keepEndOfText(inputs.input_ids, tokenizer.eos_token_id);
      const { text_embeds } = (await model(inputs)) as { text_embeds: TensorLike };
      return text_embeds;
    });
  }

  /** One embedding per image (decoded with sharp, resized and centre-cropped by the model's processor). */
  async embedImages(images: readonly ImageInput[], onProgress?: Progress): Promise<EmbeddingMatrix> {
    if (images.length === 0) throw new InputError('no images to embed');
    this.vision ??= (async () => ({
      processor: await AutoImageProcessor.from_pretrained(this.model, this.loadOptions),
      model: await CLIPVisionModelWithProjection.from_pretrained(this.model, this.loadOptions),
    }))();
    const { processor, model } = await this.vision;
    return this.batched(images, onProgress, async (batch) => {
      const decoded = await Promise.all(batch.map(decodeImage));
      const { pixel_values } = (await processor(decoded)) as { pixel_values: unknown };
      const { image_embeds } = (await model({ pixel_values })) as { image_embeds: TensorLike };
      return image_embeds;
    });
  }

  /** Frees the onnxruntime sessions. */
  async dispose(): Promise<void> {
    const parts = await Promise.all([this.text, this.vision]);
    await Promise.all(parts.map((p) => p?.model.dispose()));
    this.text = undefined;
    this.vision = undefined;
  }

  private async batched<T>(items: readonly T[], onProgress: Progress | undefined, run: (batch: readonly T[]) => Promise<TensorLike>): Promise<EmbeddingMatrix> {
    let out: Float32Array | undefined;
    let dim = 0;
    for (let start = 0; start < items.length; start += this.batchSize) {
      const batch = items.slice(start, start + this.batchSize);
      const t = await run(batch);
      dim = t.dims[t.dims.length - 1]!;
      out ??= new Float32Array(items.length * dim);
      out.set(t.data as Float32Array, start * dim);
      onProgress?.(start + batch.length, items.length);
    }
    return embeddingMatrix(out!, items.length, dim, 'CLIP embeddings');
  }
}

interface TensorLike {
  dims: number[];
  data: ArrayLike<number | bigint>;
}

/**
 * transformers.js truncates a long text to the context by cutting off its end-of-text token, but CLIP
 * pools the text at that token (the exported graph finds it with ArgMax over the ids). Like OpenAI's
 * tokenize(truncate=True) and the Python tokenizers, put it back as the last token of such rows.
 */
function keepEndOfText(ids: TensorLike, eos: number | undefined): void {
  if (eos === undefined) return;
  const [rows, cols] = ids.dims as [number, number];
  const data = ids.data as BigInt64Array;
  const end = BigInt(eos);
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * cols, (r + 1) * cols);
    if (!row.includes(end)) row[cols - 1] = end;
  }
}

async function decodeImage(image: ImageInput, index: number): Promise<RawImage> {
  let bytes: Uint8Array;
  if (typeof image === 'string') {
    try {
      bytes = await readFile(image);
    } catch {
      throw new InputError(`cannot read image ${image}`);
    }
  } else bytes = image;
  try {
    return await RawImage.fromBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch (err) {
    throw new InputError(`image ${typeof image === 'string' ? image : `#${index + 1}`} could not be decoded (${(err as Error).message.split('\n')[0]}); give PNG, JPEG or WebP`);
  }
}
