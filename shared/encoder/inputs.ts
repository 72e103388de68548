import type { TextEmbedder } from '../embed/types.ts';
import type { CommunityTable } from '../community/records.ts';
import { communityText } from '../community/text.ts';
import { buildPaddedNeighbourhood, type NeighbourEntry, type PaddedNeighbourhood } from '../graph/neighbourhood.ts';
import type { CommunityActivity } from '../schemas/community.ts';
import type { Vocabulary } from './vocabulary.ts';
import { InputError } from '../errors.ts';

/** One community of one user as the model saw it. */
export interface SlotInfo {
  name: string;
  posts: number;
  comments: number;
  /** Row in the vocabulary, or undefined for a community the model did not train on. */
  index: number | undefined;
}

/** Encoder inputs for a batch of users, plus what each padded slot stands for. */
export interface PreparedBatch {
  neighbourhood: PaddedNeighbourhood;
  /** [extraCount, featureDim]: embedder features of the unknown communities (ids ≥ V point here). */
  extraFeatures: Float32Array;
  extraCount: number;
  /** Per user, per slot (same order as the neighbourhood). */
  slots: SlotInfo[][];
  /** Per user: communities left out (not in the vocabulary and no embedder, or past maxNeighbours). */
  ignored: string[][];
}

/** Thrown when a user has no community the model knows: the embedding would carry no signal. */
export class NoKnownCommunityError extends InputError {
  constructor(
    readonly user: number,
    names: string[],
    vocabularySize: number,
    /** Set for a structure-only model: a name from its vocabulary, for the message. */
    structureOnlyExample?: string,
  ) {
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
    super(
      structureOnlyExample !== undefined
        ? `none of the ${names.length} communities (${shown}) is in the vocabulary of this structure-only model (${vocabularySize.toLocaleString('en-US')} community ids, no text features, so it cannot embed a community it never saw); use names from its vocabulary.json (e.g. "${structureOnlyExample}") or a model trained with text features`
        : `none of the ${names.length} communities (${shown}) is in the model's vocabulary of ${vocabularySize.toLocaleString('en-US')}; check the spelling (e.g. "photography", not "photos") or add a community the model knows`,
      { field: 'communities' },
    );
  }
}

/**
 * Turns community lists into padded encoder inputs. Known communities index the model's precomputed
 * tables; unknown ones (when an embedder is given) get features from their name through the same
 * embedder training used, and ids V, V+1, … pointing into `extraFeatures`. Each unknown name is embedded
 * once per batch.
 */
export async function prepareBatch(
  lists: readonly (readonly CommunityActivity[])[],
  vocabulary: Vocabulary,
  options: {
    embedder?: TextEmbedder;
    featureDim: number;
    maxNeighbours: number;
    edgeScale: number;
    epsilon: number;
    /** communities.jsonl records: an unknown community's features come from its record, as in training. */
    records?: Pick<CommunityTable, 'get'>;
    /** The model has no text features at all (embedder "none"): only for the error message. */
    structureOnly?: boolean;
  },
): Promise<PreparedBatch> {
  const unknownRows = new Map<string, number>();
  const entries: NeighbourEntry[][] = [];
  const infos: SlotInfo[][] = [];
  const ignored: string[][] = [];
  lists.forEach((list, u) => {
    const e: NeighbourEntry[] = [];
    const info: SlotInfo[] = [];
    const skip: string[] = [];
    let known = 0;
    for (const a of list) {
      let index = vocabulary.lookup(a.name);
      if (index !== undefined) known++;
      else if (options.embedder) {
        if (!unknownRows.has(a.name)) unknownRows.set(a.name, unknownRows.size);
        index = vocabulary.size + unknownRows.get(a.name)!;
      } else {
        skip.push(a.name);
        continue;
      }
      e.push({ index, posts: a.posts, comments: a.comments });
      info.push({ name: a.name, posts: a.posts, comments: a.comments, index: index < vocabulary.size ? index : undefined });
    }
    if (known === 0) throw new NoKnownCommunityError(u, list.map((a) => a.name), vocabulary.size, options.structureOnly ? vocabulary.name(0) : undefined);
    entries.push(e);
    infos.push(info);
    ignored.push(skip);
  });

  const neighbourhood = buildPaddedNeighbourhood(entries, {
    communityActivity: (i) => vocabulary.activity(i),
    maxWidth: options.maxNeighbours,
    edgeScale: options.edgeScale,
    epsilon: options.epsilon,
  });
  const slots = infos.map((info, u) => {
    const kept = neighbourhood.positions[u]!;
    const keptSet = new Set(kept);
    info.forEach((s, i) => keptSet.has(i) || ignored[u]!.push(s.name));
    return kept.map((p) => info[p]!);
  });

  // The graph always takes at least one extra row (zeros when every community is known): a zero-sized
  // input is not supported by every onnxruntime execution provider.
  const extraCount = Math.max(1, unknownRows.size);
  const extraFeatures = new Float32Array(extraCount * options.featureDim);
  if (unknownRows.size > 0 && options.embedder) {
    const vectors = await options.embedder.embed([...unknownRows.keys()].map((name) => communityText(name, options.records?.get(name))));
    vectors.forEach((v, r) => {
      if (v.length !== options.featureDim) throw new Error(`embedder returned ${v.length} features, the model expects ${options.featureDim}`);
      extraFeatures.set(v, r * options.featureDim);
    });
  }
  return { neighbourhood, extraFeatures, extraCount, slots, ignored };
}
