/** Evaluation metrics: pure functions over typed arrays, usable on the server and in the browser. */
export * from './embeddings.ts';
export * from './clipscore.ts';
export * from './rbf-kernel.ts';
export * from './cmmd.ts';
export * from './categories.ts';
export * from './ipf.ts';
export * from './subgroups.ts';
export * from './binomial.ts';
export * from './winrate.ts';
export * from './paired.ts';
