export * from './types.ts';
export * from './hashed-tfidf.ts';
export * from './community-text.ts';
