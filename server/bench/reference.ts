import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BenchUser } from '../datasets/types.ts';
import type { EnginePool } from '../engines/pool.ts';
import { seedsFor } from '../engines/presets.ts';
import type { GenerationRequest } from '../engines/types.ts';
import { InputError } from '../../shared/errors.ts';
import type { BenchConfig } from './config.ts';
import { hasLocalReferences } from './dataset.ts';
import type { UserSplit } from './split.ts';

/** CMMD's reference set: what the users' own taste looks like. */
export interface ReferenceSet {
  kind: ReferenceKind;
  /** History prompts rendered by the engine. */
  generated: { user: string; key: string; request: GenerationRequest }[];
  /** The dataset's own image files, keyed by their content. */
  files: { user: string; key: string; path: string }[];
}

export type ReferenceKind = 'dataset' | 'history' | 'none';

/** `auto`: the dataset's images when every user has local ones, else renders of history prompts, else none. */
export function referenceKindOf(config: BenchConfig, users: readonly BenchUser[]): ReferenceKind {
  const want = config.reference.kind;
  if (want !== 'auto') return want;
  if (hasLocalReferences(users)) return 'dataset';
  return users.length > 0 && users.every((u) => u.history.length > 0) ? 'history' : 'none';
}

/**
 * The reference images: the dataset's own files, or renders of each user's reference prompts (the
 * history prompts the split set aside, never shown to a method) with `reference.seeds` seeds each.
 */
export async function referenceImages(
  kind: ReferenceKind,
  config: BenchConfig,
  users: readonly BenchUser[],
  splits: ReadonlyMap<string, UserSplit>,
  pool: EnginePool,
  request: (prompt: string, seed: number) => GenerationRequest,
): Promise<ReferenceSet> {
  if (kind === 'none') return { kind, generated: [], files: [] };
  if (kind === 'dataset') {
    if (!hasLocalReferences(users)) throw new InputError('reference.kind: dataset needs every user to have reference images on local disk; use history or none');
    const files = await Promise.all(
      users.flatMap((u) => u.referenceImages!.map(async (path) => ({ user: u.id, path, key: `file:${createHash('sha256').update(await readFile(path)).digest('hex')}` }))),
    );
    return { kind, generated: [], files };
  }
  const generated = users.flatMap((u) =>
    (splits.get(u.id)?.reference ?? []).flatMap((prompt) =>
      seedsFor(config.reference.seeds).map((seed) => {
        const r = request(prompt, seed);
        return { user: u.id, key: pool.keyOf(r), request: r };
      }),
    ),
  );
  if (generated.length === 0) throw new InputError('reference.kind: history needs users with at least two distinct history prompts (one for the reference, one for the methods); use none');
  return { kind, generated, files: [] };
}
