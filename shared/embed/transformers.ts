import { l2normalize, type TextEmbedder, type TransformersConfig } from './types.ts';

/**
 * Community features from a transformers.js feature-extraction model (e.g. "Xenova/all-MiniLM-L6-v2"),
 * mean- or CLS-pooled and L2-normalised. Runs wherever transformers.js runs (Node with onnxruntime, the
 * browser with onnxruntime-web). Models come from the Hugging Face Hub, a mirror (`remoteHost`), or a local
 * models folder (`localModelPath` + a model name inside it, with remote loading off).
 */
export interface TransformersEmbedderOptions {
  model: string;
  pooling?: 'mean' | 'cls';
  /** Folder that holds `<model>/config.json`, `<model>/tokenizer.json`, `<model>/onnx/model.onnx`. */
  localModelPath?: string;
  /** Hub mirror, e.g. "http://127.0.0.1:8080/" (the Hub's `{model}/resolve/{revision}/` layout). */
  remoteHost?: string;
  /** Texts per forward pass. */
  batchSize?: number;
}

type Extractor = (texts: string[], options: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ dims: number[]; data: ArrayLike<number> }>;

export class TransformersEmbedder implements TextEmbedder {
  private constructor(
    private readonly extractor: Extractor,
    private readonly options: Required<Pick<TransformersEmbedderOptions, 'model' | 'pooling' | 'batchSize'>>,
    readonly dimension: number,
  ) {}

  static async load(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const { pipeline, env } = await import('@huggingface/transformers');
    if (options.localModelPath) {
      env.localModelPath = options.localModelPath.endsWith('/') ? options.localModelPath : `${options.localModelPath}/`;
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
    }
    if (options.remoteHost) {
      env.remoteHost = options.remoteHost.endsWith('/') ? options.remoteHost : `${options.remoteHost}/`;
      env.allowRemoteModels = true;
    }
    const extractor = (await pipeline('feature-extraction', options.model, { dtype: 'fp32' })) as unknown as Extractor;
    const resolved = { model: options.model, pooling: options.pooling ?? 'mean', batchSize: options.batchSize ?? 32 };
    const probe = await extractor(['community'], { pooling: resolved.pooling, normalize: true });
    return new TransformersEmbedder(extractor, resolved, probe.dims.at(-1)!);
  }

  describe(): TransformersConfig {
    return { kind: 'transformers', model: this.options.model, dimension: this.dimension, pooling: this.options.pooling };
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.options.batchSize) {
      const batch = texts.slice(i, i + this.options.batchSize);
      const t = await this.extractor([...batch], { pooling: this.options.pooling, normalize: true });
      for (let r = 0; r < batch.length; r++) {
        out.push(l2normalize(Float32Array.from(Array.prototype.slice.call(t.data, r * this.dimension, (r + 1) * this.dimension) as number[])));
      }
    }
    return out;
  }
}
