/**
 * Where the build puts the encoder and onnxruntime-web's WebAssembly inside the extension (see
 * wxt.config.ts: they are copied from models/zipp-encoder and node_modules at build time, never fetched
 * from the network).
 */
export const MODEL_DIR = '/model';
/**
 * onnxruntime-web's JSEP binary (the WebAssembly CPU kernels and the WebGPU execution provider in one
 * file), stored gzip-compressed: 28.3 MB raw, 6.6 MB compressed, which keeps the unpacked extension under
 * 15 MB. The options page inflates it with the browser's DecompressionStream before handing the bytes to
 * onnxruntime (`env.wasm.wasmBinary`). Measured alternatives: BENCHMARKS.md (extension suite).
 */
export const ORT_WASM_GZ = '/ort/ort-wasm-simd-threaded.jsep.wasm.gz';
