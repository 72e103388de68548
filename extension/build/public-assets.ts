import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { normalizeCommunityName } from '../../shared/community/name.ts';
import { parseCommunityRecords, type CommunityRecord } from '../../shared/community/records.ts';

/**
 * Files the build copies into the extension so nothing is ever fetched from the network at run time:
 * onnxruntime-web's WebAssembly binary (gzip-compressed), the trained encoder (models/zipp-encoder) and a table of
 * community descriptions for persona writing (from the vendored Reddit metadata; NSFW ones as a bare flag).
 */
const root = resolve(import.meta.dirname, '../..');
/** The shipped model, or another folder written by `zipp encoder train` (ZIPP_EXTENSION_MODEL=DIR). */
export const MODEL_SRC = process.env.ZIPP_EXTENSION_MODEL ? resolve(process.env.ZIPP_EXTENSION_MODEL) : join(root, 'models/zipp-encoder');
const COMMUNITIES = join(root, 'models/data/reddit/communities.jsonl');
const MODEL_FILES = ['encoder.onnx', 'vocabulary.json', 'community-embeddings.bin'];

export type PublicFile = { relativeDest: string; absoluteSrc: string } | { relativeDest: string; contents: string };

/** onnxruntime-web's dist folder (its .wasm builds: JSEP, asyncify, JSPI, CPU-only). */
export function ortDist(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('onnxruntime-web'));
}

export function ortWasmPath(): string {
  // The default (JSEP) build: the WebAssembly CPU kernels and the WebGPU execution provider in one binary.
  return join(ortDist(), 'ort-wasm-simd-threaded.jsep.wasm');
}

/**
 * The JSEP binary gzip-compressed (level 9), made once per onnxruntime-web version in node_modules/.cache:
 * 28.3 MB → 6.6 MB in the package; the browser inflates it when the encoder loads (lib/encoder/load.ts).
 */
export function ortWasmGzPath(): string {
  const src = ortWasmPath();
  const { size, mtimeMs } = statSync(src);
  const cache = join(root, 'node_modules/.cache/zipp-extension');
  const out = join(cache, `ort-wasm-simd-threaded.jsep.${size}-${Math.round(mtimeMs)}.wasm.gz`);
  if (!existsSync(out)) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(out, gzipSync(readFileSync(src), { level: 9 }));
  }
  return out;
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
  const files: PublicFile[] = [{ relativeDest: 'ort/ort-wasm-simd-threaded.jsep.wasm.gz', absoluteSrc: ortWasmGzPath() }];
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
