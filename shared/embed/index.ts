export * from './types.ts';
export * from './hashed-tfidf.ts';
