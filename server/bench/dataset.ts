import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { loadCommunities, loadMovieLens, loadPip, loadRapidData, loadZipBench, type BenchUser, type Dataset } from '../datasets/index.ts';
import { InputError } from '../../shared/errors.ts';
import type { BenchConfig } from './config.ts';

/** The dataset of a run, every user of it (the static baseline's word statistics use them all) and the users benchmarked. */
export interface BenchDataset {
  dataset: Dataset;
  selected: BenchUser[];
}

export async function loadBenchDataset(spec: BenchConfig['dataset']): Promise<BenchDataset> {
  const needPath = () => {
    if (!spec.path) throw new InputError(`dataset.path: the ${spec.kind} dataset needs a path (a ${spec.kind === 'pip' ? 'directory' : spec.kind === 'communities' ? 'file of community lists, e.g. models/data/reddit/interactions.csv' : 'file'})`);
    return spec.path;
  };
  const n = spec.queriesPerUser;
  let dataset: Dataset;
  switch (spec.kind) {
    case 'movielens':
      dataset = await loadMovieLens(spec.path, { queriesPerUser: n });
      break;
    case 'pip':
      dataset = await loadPip(needPath(), { testPerUser: n });
      break;
    case 'zipbench':
      dataset = await loadZipBench(needPath(), { queriesPerUser: n });
      break;
    case 'rapiddata':
      dataset = await loadRapidData(needPath(), { queriesPerUser: n });
      break;
    case 'communities': {
      const path = needPath();
      if (!spec.prompts) throw new InputError('dataset.prompts: the communities dataset needs a prompt pool: JSONL {"prompt", "user"?} or one prompt per line (e.g. 20 base prompts)');
      dataset = await loadCommunities(path, { prompts: spec.prompts, queriesPerUser: n, ...(spec.texts ? { texts: spec.texts } : {}) });
      break;
    }
  }
  if (spec.kind !== 'communities' && (spec.texts || spec.prompts)) {
    throw new InputError(`dataset.${spec.texts ? 'texts' : 'prompts'}: only the communities dataset takes it; the ${spec.kind} dataset brings its own prompts`);
  }
  // PIP marks its test split explicitly for some users; never rewrite more than asked for.
  if (spec.shorten && spec.kind !== 'pip') {
    throw new InputError(`dataset.shorten: only the pip dataset shortens its queries (Tailored Visions' protocol); the ${spec.kind} dataset's methods take the prompts as they are: leave shorten out`);
  }
  const users = dataset.users.map((u) =>
    u.queries.length > n
      ? { ...u, queries: u.queries.slice(0, n), ...(u.inputs ? { inputs: u.inputs.slice(0, n) } : {}), ...(u.inputSources ? { inputSources: u.inputSources.slice(0, n) } : {}) }
      : u,
  );
  dataset = { ...dataset, users };
  return { dataset, selected: selectUsers(users, spec.users, dataset.name) };
}

function selectUsers(users: BenchUser[], wanted: number | string[] | undefined, name: string): BenchUser[] {
  if (users.length === 0) throw new InputError(`the ${name} dataset has no usable users (each needs history and held-out prompts)`);
  if (wanted === undefined) return users;
  if (typeof wanted === 'number') return users.slice(0, wanted);
  const byId = new Map(users.map((u) => [u.id, u]));
  const missing = wanted.filter((id) => !byId.has(id));
  if (missing.length) {
    throw new InputError(`dataset.users: no usable user ${missing.slice(0, 3).join(', ')} in ${name} (ids look like ${users.slice(0, 3).map((u) => u.id).join(', ')})`);
  }
  return wanted.map((id) => byId.get(id)!);
}

/** True when every user has reference images on local disk (URLs would need downloading first). */
export function hasLocalReferences(users: readonly BenchUser[]): boolean {
  return users.every((u) => (u.referenceImages?.length ?? 0) > 0 && u.referenceImages!.every((p) => isAbsolute(p) && existsSync(p)));
}
