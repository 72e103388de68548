import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { embedderFromConfig, type EmbedderDeps } from '../../shared/embed/from-config.ts';
import { EmbedderConfig } from '../../shared/embed/types.ts';
import { CommunityEncoder, type OrtModule } from '../../shared/encoder/encoder.ts';
import { decodeTrainEdges, type TrainEdges } from '../../shared/encoder/baselines.ts';
import { MODEL_FILES } from '../../shared/encoder/manifest.ts';
import { decodeVotes, type CommunityVotes } from '../../shared/encoder/votes.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * Loads a model directory (`models/zipp-encoder/` or the output of `zipp encoder train`) on
 * onnxruntime-node: the library function the server calls. Errors name the missing or mismatched file.
 */
export class ModelDirError extends InputError {}

export interface LoadEncoderOptions extends EmbedderDeps {
  /** onnxruntime intra-op threads (default: onnxruntime's choice). One is fastest for single users. */
  threads?: number;
  /** Also load community-embeddings.bin (for suggestions / ranking); default true. */
  communityEmbeddings?: boolean;
}

/** The shipped model, relative to this file. */
export const DEFAULT_MODEL_DIR = path.resolve(import.meta.dirname, '../../models/zipp-encoder');

function need(dir: string, file: string): string {
  const p = path.join(dir, file);
  if (!existsSync(p)) throw new ModelDirError(`${dir} has no ${file}; pass a folder written by \`zipp encoder train\` (e.g. models/zipp-encoder)`);
  return p;
}

export function readFloat32(file: string): Float32Array {
  const bytes = readFileSync(file);
  if (bytes.byteLength % 4 !== 0) throw new ModelDirError(`${file} is truncated (${bytes.byteLength} bytes is not a whole number of float32 values)`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export async function loadEncoder(dir: string = DEFAULT_MODEL_DIR, options: LoadEncoderOptions = {}): Promise<CommunityEncoder> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelDirError(`model folder not found: ${dir}; pass --model DIR with a folder written by \`zipp encoder train\` (e.g. models/zipp-encoder)`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(need(dir, MODEL_FILES.manifest), 'utf8'));
  } catch (err) {
    if (err instanceof ModelDirError) throw err;
    throw new ModelDirError(`${path.join(dir, MODEL_FILES.manifest)} is not valid JSON; re-export the model`);
  }
  const model = new Uint8Array(readFileSync(need(dir, MODEL_FILES.onnx)));
  const embedderConfig = EmbedderConfig.safeParse((manifest as { embedder?: unknown })?.embedder);
  const embedder = embedderConfig.success ? await embedderFromConfig(embedderConfig.data, options) : undefined;
  const communityEmbeddings = options.communityEmbeddings === false ? undefined : readFloat32(need(dir, MODEL_FILES.communityEmbeddings));
  const votes = communityEmbeddings ? readVotes(dir, manifest) : undefined;
  return CommunityEncoder.create({
    ort: ort as unknown as OrtModule,
    model,
    manifest,
    ...(communityEmbeddings ? { communityEmbeddings } : {}),
    ...(votes ? { communityVotes: votes } : {}),
    ...(embedder ? { embedder } : {}),
    sessionOptions: {
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    },
  });
}

/** community-votes.bin when the manifest lists co-membership votes (ranking needs them). */
function readVotes(dir: string, manifest: unknown): CommunityVotes | undefined {
  const m = manifest as { votes?: unknown; communities?: { names?: unknown[] } };
  if (!m?.votes) return undefined;
  const file = need(dir, MODEL_FILES.communityVotes);
  try {
    return decodeVotes(new Uint8Array(readFileSync(file)), m.communities?.names?.length ?? -1);
  } catch (err) {
    throw new ModelDirError(`${file}: ${(err as Error).message}`);
  }
}

/** The training graph stored beside a model (for the eval baselines). */
export function loadTrainEdges(dir: string): TrainEdges {
  try {
    return decodeTrainEdges(new Uint8Array(readFileSync(need(dir, MODEL_FILES.trainEdges))));
  } catch (err) {
    if (err instanceof ModelDirError) throw err;
    throw new ModelDirError(`${path.join(dir, MODEL_FILES.trainEdges)}: ${(err as Error).message}`);
  }
}
