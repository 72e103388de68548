import type { CommunityDescription } from '../../../shared/persona/assign.ts';

/**
 * The community table shipped with the encoder (`/model/descriptions.json`, written at build time from
 * the vendored Reddit community metadata): name → title, description, categories — and, for NSFW
 * communities, only `over18: true`, which makes persona writing leave them and their texts out. Loaded
 * once, on the first persona that needs it.
 */
type Table = Record<string, Omit<CommunityDescription, 'name'>>;

export function createDescriptionLookup(load: () => Promise<Table>) {
  let table: Promise<Table> | undefined;
  return async (names: string[]): Promise<CommunityDescription[]> => {
    table ??= load().catch((err) => {
      table = undefined;
      throw err;
    });
    const t = await table;
    return names.flatMap((name) => (t[name] ? [{ name, ...t[name] }] : []));
  };
}
