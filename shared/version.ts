import pkg from '../package.json' with { type: 'json' };

/** ZIPP's version: package.json's, the one place it is written (CLI --version, /v1/health, the extension manifest, ONNX producer). */
export const ZIPP_VERSION: string = pkg.version;
