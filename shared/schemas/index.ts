export * from './community.ts';
export * from './llm.ts';
export * from './persona.ts';
export * from './rewrite.ts';
