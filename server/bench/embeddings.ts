import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ClipEmbedder } from '../eval/clip.ts';
import type { BenchStore } from './store.ts';

/**
 * CLIP embeddings of a run, stored per model: an image embedding is keyed by the image's content-address
 * key, a text embedding by the SHA-256 of the text. The space name identifies the model — for a local
 * export also a fingerprint of its config and ONNX file sizes, so swapped weights in the same directory
 * are not mistaken for the old ones.
 */
export interface ClipSpaces {
  image: string;
  text: string;
}

export function clipSpaces(clip: ClipEmbedder, dtype: string): ClipSpaces {
  let id = `${clip.model}|${dtype}`;
  if (existsSync(join(clip.model, 'config.json'))) {
    const h = createHash('sha256').update(readFileSync(join(clip.model, 'config.json')));
    for (const f of ['onnx/text_model.onnx', 'onnx/vision_model.onnx']) {
      const p = join(clip.model, f);
      h.update(`${f}:${existsSync(p) ? statSync(p).size : 'missing'}`);
    }
    id += `|${h.digest('hex').slice(0, 16)}`;
  }
  return { image: `clip-image|${id}`, text: `clip-text|${id}` };
}

export const textKey = (text: string): string => createHash('sha256').update(text).digest('hex');

type Progress = (done: number, total: number) => void;

/**
 * Embeds what the store lacks, in batches, writing each batch as it finishes (a killed run keeps them).
 * Returns how many were computed; 0 means the model was never loaded.
 */
export async function embedMissing<T>(
  store: BenchStore,
  space: string,
  items: readonly { key: string; input: T }[],
  embed: (inputs: T[]) => ReturnType<ClipEmbedder['embedTexts']>,
  batchSize: number,
  onProgress?: Progress,
  signal?: AbortSignal,
): Promise<number> {
  const seen = new Set<string>();
  const todo = items.filter((it) => !seen.has(it.key) && seen.add(it.key) && !store.hasEmbedding(space, it.key));
  for (let start = 0; start < todo.length; start += batchSize) {
    signal?.throwIfAborted();
    const batch = todo.slice(start, start + batchSize);
    store.putEmbeddings(space, batch.map((b) => b.key), await embed(batch.map((b) => b.input)));
    onProgress?.(start + batch.length, todo.length);
  }
  return todo.length;
}
