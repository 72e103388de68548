/** Image engines behind one interface, the pool that spreads, retries and caches their work. */
export * from './types.ts';
export * from './presets.ts';
export * from './resolve-request.ts';
export * from './comfyui-workflow.ts';
export { ComfyUiEngine, type ComfyUiOptions } from './comfyui.ts';
export { A1111Engine, type A1111Options } from './a1111.ts';
export { OpenAiImagesEngine, type OpenAiImagesOptions } from './openai-images.ts';
export { ImageCache, type CachedImage, type CacheEntryMeta } from './image-cache.ts';
export * from './pool.ts';
export * from './config.ts';
