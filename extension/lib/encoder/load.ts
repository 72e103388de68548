import * as ort from 'onnxruntime-web';
import { extensionUrl } from '../extension-url.ts';
import { HashedTfidfEmbedder } from '../../../shared/embed/hashed-tfidf.ts';
import { CommunityEncoder, type OrtModule } from '../../../shared/encoder/encoder.ts';
import { EncoderManifest, MODEL_FILES } from '../../../shared/encoder/manifest.ts';
import { MODEL_DIR, ORT_WASM } from './assets.ts';
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
}

const cache = new Map<Backend, Promise<LoadedEncoder>>();

async function asset(name: string): Promise<Response> {
  const url = extensionUrl(`${MODEL_DIR}/${name}`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`the extension is missing ${MODEL_DIR}/${name} (HTTP ${res.status}): rebuild it with npm run build:extension`);
  return res;
}

async function load(backend: Backend): Promise<LoadedEncoder> {
  const started = performance.now();
  ort.env.wasm.wasmPaths = { wasm: extensionUrl(ORT_WASM) };
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
  return { encoder, backend, loadMs: performance.now() - started };
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
