import type { CommunityTable } from '../../shared/community/records.ts';
import { communityText } from '../../shared/community/text.ts';
import type { TextEmbedder } from '../../shared/embed/types.ts';
import { createRng } from '../../shared/encoder/random.ts';
import { buildGraph, type BipartiteGraph, type Interaction } from '../../shared/graph/bipartite.ts';
import { pruneCommunities } from '../../shared/graph/prune.ts';
import { normalizeCommunityName } from '../../shared/community/name.ts';

/**
 * From filtered interactions to what training needs: a user split (train / validation / held-out test),
 * the pruned training graph whose communities form the vocabulary, and the vocabulary's text features.
 */
export interface SplitOptions {
  /** Share of evaluable users (≥ 3 communities) kept out of training entirely, for `zipp encoder eval`. */
  holdoutShare: number;
  /** Share of evaluable users used for early stopping. */
  validationShare: number;
  seed: number;
}

export interface UserSplit {
  train: Interaction[];
  validation: Interaction[];
  holdout: Interaction[];
}

export const EVALUABLE_DEGREE = 3;

export function splitUsers(interactions: readonly Interaction[], options: SplitOptions): UserSplit {
  const degree = new Map<string, number>();
  for (const it of interactions) degree.set(it.user, (degree.get(it.user) ?? 0) + 1);
  const evaluable = [...degree.keys()].filter((u) => degree.get(u)! >= EVALUABLE_DEGREE).sort();
  createRng(options.seed ^ 0x5eed).shuffle(evaluable);
  const nHold = Math.round(evaluable.length * options.holdoutShare);
  const nVal = Math.round(evaluable.length * options.validationShare);
  const holdout = new Set(evaluable.slice(0, nHold));
  const validation = new Set(evaluable.slice(nHold, nHold + nVal));
  const split: UserSplit = { train: [], validation: [], holdout: [] };
  for (const it of interactions) (holdout.has(it.user) ? split.holdout : validation.has(it.user) ? split.validation : split.train).push(it);
  return split;
}

export interface TrainingSet {
  graph: BipartiteGraph;
  /** Display spelling per vocabulary row. */
  labels: string[];
  /** [V, featureDim] row-major. */
  features: Float32Array;
  featureDim: number;
  pruning: { communities: number; edges: number; activityShare: number };
}

/**
 * Prunes the training users' graph and embeds the surviving communities' texts (name + description
 * where the communities file has one).
 */
export async function buildTrainingSet(
  train: readonly Interaction[],
  options: {
    minCommunityUsers: number;
    minCommunityActivity: number;
    /** communities.jsonl records (titles, descriptions, categories) by name; none for a graph without text. */
    records?: Pick<CommunityTable, 'get'>;
    labels: ReadonlyMap<string, string>;
    embedder: (texts: string[]) => Promise<TextEmbedder>;
  },
): Promise<TrainingSet & { embedder: TextEmbedder }> {
  const pruned = pruneCommunities(train, { minUsers: options.minCommunityUsers, minActivity: options.minCommunityActivity });
  if (pruned.kept.length === 0) {
    throw new Error('no training edges left after pruning; lower --min-community-users / --min-community-activity');
  }
  const graph = buildGraph(pruned.kept);
  const labels = graph.communities.map((c) => options.labels.get(c) ?? options.records?.get(c)?.name ?? c);
  // The same text inference builds for a community it has a record of (shared/community/text.ts).
  const texts = graph.communities.map((c, i) => communityText(labels[i]!, options.records?.get(c)));
  const embedder = await options.embedder(texts);
  const vectors = await embedder.embed(texts);
  const featureDim = embedder.dimension;
  const features = new Float32Array(graph.communities.length * featureDim);
  vectors.forEach((v, i) => features.set(v, i * featureDim));
  return {
    graph,
    labels,
    features,
    featureDim,
    embedder,
    pruning: { communities: pruned.prunedCommunities, edges: pruned.prunedEdges, activityShare: pruned.prunedActivityShare },
  };
}

/** Groups interactions by user as community lists (for evaluation and validation). */
export function listsByUser(interactions: readonly Interaction[]): Map<string, { name: string; posts: number; comments: number }[]> {
  const out = new Map<string, { name: string; posts: number; comments: number }[]>();
  for (const it of interactions) {
    let list = out.get(it.user);
    if (!list) out.set(it.user, (list = []));
    list.push({ name: normalizeCommunityName(it.community), posts: it.posts, comments: it.comments });
  }
  return out;
}
