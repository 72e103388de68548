import * as ort from 'onnxruntime-web';
import { extensionUrl } from '../extension-url.ts';
import { HashedTfidfEmbedder } from '../../../shared/embed/hashed-tfidf.ts';
import { CommunityEncoder, type OrtModule } from '../../../shared/encoder/encoder.ts';
import { EncoderManifest, MODEL_FILES } from '../../../shared/encoder/manifest.ts';
import { MODEL_DIR, ORT_WASM_GZ } from './assets.ts';
import type { Backend } from './backend.ts';

/**
 * Loads the bundled encoder into onnxruntime-web on the chosen backend. Runs in an extension page (the
 * options page): a window context has WebGPU and needs no worker. One thread: extension pages are not
 * cross-origin isolated, and a 50-community user is far too small to gain from threads.
 */
export interface LoadedEncoder {
  encoder: CommunityEncoder;
  backend: Backend;
  loadMs: number;
  /** Of loadMs: inflating onnxruntime's compressed WebAssembly binary. */
  inflateMs: number;
}

let wasmBinary: Promise<{ bytes: ArrayBuffer; ms: number }> | undefined;

/** onnxruntime-web's binary, shipped gzip-compressed (assets.ts), inflated once per page. */
function ortBinary(): Promise<{ bytes: ArrayBuffer; ms: number }> {
  wasmBinary ??= (async () => {
    const started = performance.now();
    const res = await asset(ORT_WASM_GZ, '');
    const bytes = await new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
    return { bytes, ms: performance.now() - started };
  })();
  wasmBinary.catch(() => (wasmBinary = undefined));
  return wasmBinary;
}

const cache = new Map<Backend, Promise<LoadedEncoder>>();

async function asset(name: string, dir = `${MODEL_DIR}/`): Promise<Response> {
  const path = `${dir}${name}`;
  const res = await fetch(extensionUrl(path));
  if (!res.ok) throw new Error(`the extension is missing ${path} (HTTP ${res.status}): rebuild it with npm run build:extension`);
  return res;
}

async function load(backend: Backend): Promise<LoadedEncoder> {
  const started = performance.now();
  const binary = await ortBinary();
  ort.env.wasm.wasmBinary = binary.bytes;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const [model, manifestJson, embeddings] = await Promise.all([
    asset(MODEL_FILES.onnx).then((r) => r.arrayBuffer()),
    asset(MODEL_FILES.manifest).then((r) => r.json() as Promise<unknown>),
    asset(MODEL_FILES.communityEmbeddings).then((r) => r.arrayBuffer()),
  ]);
  const manifest = EncoderManifest.parse(manifestJson);
  const embedder = manifest.embedder.kind === 'hashed-tfidf' ? new HashedTfidfEmbedder(manifest.embedder) : undefined;
  const encoder = await CommunityEncoder.create({
    ort: ort as unknown as OrtModule,
    model: new Uint8Array(model),
    manifest,
    communityEmbeddings: new Float32Array(embeddings),
    ...(embedder ? { embedder } : {}),
    sessionOptions: { executionProviders: [backend], graphOptimizationLevel: 'all' },
  });
  return { encoder, backend, loadMs: performance.now() - started, inflateMs: binary.ms };
}

/** The encoder on `backend`, loaded once per page. */
export function loadEncoder(backend: Backend): Promise<LoadedEncoder> {
  let loaded = cache.get(backend);
  if (!loaded) {
    loaded = load(backend);
    loaded.catch(() => cache.delete(backend));
    cache.set(backend, loaded);
  }
  return loaded;
}
