import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { normalizeCommunityName } from '../../shared/community/name.ts';
import { parseCommunityRecords, type CommunityRecord } from '../../shared/community/records.ts';

/**
 * Files the build copies into the extension so nothing is ever fetched from the network at run time:
 * onnxruntime-web's WebAssembly binary, the trained encoder (models/zipp-encoder) and a table of
 * community descriptions for persona writing (from the vendored Reddit metadata; NSFW ones as a bare flag).
 */
const root = resolve(import.meta.dirname, '../..');
/** The shipped model, or another folder written by `zipp encoder train` (ZIPP_EXTENSION_MODEL=DIR). */
export const MODEL_SRC = process.env.ZIPP_EXTENSION_MODEL ? resolve(process.env.ZIPP_EXTENSION_MODEL) : join(root, 'models/zipp-encoder');
const COMMUNITIES = join(root, 'models/data/reddit/communities.jsonl');
const MODEL_FILES = ['encoder.onnx', 'vocabulary.json', 'community-embeddings.bin'];

export type PublicFile = { relativeDest: string; absoluteSrc: string } | { relativeDest: string; contents: string };

export function ortWasmPath(): string {
  const require = createRequire(import.meta.url);
  // The default (JSEP) build: the WebAssembly CPU kernels and the WebGPU execution provider in one binary.
  return join(dirname(require.resolve('onnxruntime-web')), 'ort-wasm-simd-threaded.jsep.wasm');
}

type CommunityLine = Pick<CommunityRecord, 'name' | 'title' | 'description' | 'categories' | 'over18'>;

/**
 * name → {title, description, categories} for the communities the model knows (all, without a model),
 * plus `{over18: true}` — the flag alone, no text — for every NSFW community in the metadata, known to the
 * model or not: persona writing leaves those communities and the person's texts in them out, and it can
 * only do that for communities it knows are NSFW.
 */
export function descriptionTable(vocabulary: Set<string> | undefined): Record<string, Omit<CommunityLine, 'name'>> {
  const table: Record<string, Omit<CommunityLine, 'name'>> = {};
  for (const c of parseCommunityRecords(readFileSync(COMMUNITIES, 'utf8'), COMMUNITIES).records()) {
    const name = normalizeCommunityName(c.name);
    if (c.over18) {
      table[name] = { over18: true };
      continue;
    }
    if (vocabulary && !vocabulary.has(name)) continue;
    if (!c.title && !c.description && !c.categories?.length) continue;
    table[name] = {
      ...(c.title ? { title: c.title.trim() } : {}),
      ...(c.description ? { description: c.description.trim().slice(0, 400) } : {}),
      ...(c.categories?.length ? { categories: c.categories } : {}),
    };
  }
  return table;
}

export function extensionAssets(log: (line: string) => void): PublicFile[] {
  const files: PublicFile[] = [{ relativeDest: 'ort/ort-wasm-simd-threaded.jsep.wasm', absoluteSrc: ortWasmPath() }];
  let vocabulary: Set<string> | undefined;
  if (MODEL_FILES.every((f) => existsSync(join(MODEL_SRC, f)))) {
    for (const f of MODEL_FILES) files.push({ relativeDest: `model/${f}`, absoluteSrc: join(MODEL_SRC, f) });
    const manifest = JSON.parse(readFileSync(join(MODEL_SRC, 'vocabulary.json'), 'utf8')) as { communities: { names: string[] } };
    vocabulary = new Set(manifest.communities.names);
  } else {
    log(`ZIPP: no trained encoder in ${MODEL_SRC}; persona inference will say the model is missing`);
  }
  files.push({ relativeDest: 'model/descriptions.json', contents: JSON.stringify(descriptionTable(vocabulary)) });
  return files;
}
