/**
 * Where the build puts the encoder and onnxruntime-web's WebAssembly inside the extension (see
 * wxt.config.ts: they are copied from models/zipp-encoder and node_modules at build time, never fetched
 * from the network).
 */
export const MODEL_DIR = '/model';
export const ORT_WASM = '/ort/ort-wasm-simd-threaded.jsep.wasm';
