import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BenchUser } from '../datasets/types.ts';
import type { EnginePool } from '../engines/pool.ts';
import { seedsFor } from '../engines/presets.ts';
import type { GenerationRequest } from '../engines/types.ts';
import { InputError } from '../../shared/errors.ts';
import type { BenchConfig } from './config.ts';
import { hasLocalReferences } from './dataset.ts';

/** CMMD's reference set: what the users' own taste looks like. */
export interface ReferenceSet {
  kind: 'dataset' | 'history' | 'none';
  /** History prompts rendered by the engine. */
  generated: { user: string; key: string; request: GenerationRequest }[];
  /** The dataset's own image files, keyed by their content. */
  files: { user: string; key: string; path: string }[];
}

/**
 * The dataset's images (`auto` picks them when every user has local ones), else renders of each user's
 * most recent history prompts, else none.
 */
export async function referenceImages(
  config: BenchConfig,
  users: readonly BenchUser[],
  pool: EnginePool,
  request: (prompt: string, seed: number) => GenerationRequest,
): Promise<ReferenceSet> {
  const want = config.reference.kind;
  const kind = want === 'auto' ? (hasLocalReferences(users) ? 'dataset' : users.every((u) => u.history.length > 0) ? 'history' : 'none') : want;
  if (kind === 'none') return { kind, generated: [], files: [] };
  if (kind === 'dataset') {
    if (!hasLocalReferences(users)) throw new InputError('reference.kind: dataset needs every user to have reference images on local disk; use history or none');
    const files = await Promise.all(
      users.flatMap((u) => u.referenceImages!.map(async (path) => ({ user: u.id, path, key: `file:${createHash('sha256').update(await readFile(path)).digest('hex')}` }))),
    );
    return { kind, generated: [], files };
  }
  const generated = users.flatMap((u) =>
    u.history.slice(-config.reference.prompts).flatMap((prompt) =>
      seedsFor(config.reference.seeds).map((seed) => {
        const r = request(prompt, seed);
        return { user: u.id, key: pool.keyOf(r), request: r };
      }),
    ),
  );
  if (generated.length === 0) throw new InputError('reference.kind: history needs users with history prompts; use none');
  return { kind, generated, files: [] };
}
