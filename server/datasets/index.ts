/** Dataset loaders for benchmark runs and the population targets for IPF. */
export * from './types.ts';
export { loadMovieLens, moviePrompt, parseTitle, VENDORED_MOVIELENS, type Movie, type MovieLensOptions } from './movielens.ts';
export { loadPip, PipRecord, shortQuery, SHORT_QUERY_WORDS, type PipOptions } from './pip.ts';
export { loadCommunities, type CommunitiesOptions } from './communities.ts';
export { loadZipBench, ZipBenchRecord } from './zipbench.ts';
export { DEMOGRAPHIC_AXES, loadRapidData, PreferenceRecord, profileId, readPreferences, type Demographics } from './rapiddata.ts';
export * from './population.ts';
