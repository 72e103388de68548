import type { TextEmbedder } from '../embed/types.ts';
import type { CommunityActivity } from '../schemas/community.ts';
import { prepareBatch, type PreparedBatch } from './inputs.ts';
import { EncoderManifest, ONNX_IO, ONNX_METADATA, vocabularyHash } from './manifest.ts';
import { readOnnxMetadata } from './onnx-metadata.ts';
import { scoreAll, topK } from './ranking.ts';
import { Vocabulary } from './vocabulary.ts';
import { addVotes, type CommunityVotes } from './votes.ts';
import { InputError } from '../errors.ts';
import type { CommunityTable } from '../community/records.ts';

/**
 * The community encoder at inference, shared by the server (onnxruntime-node) and the browser extension
 * (onnxruntime-web): the caller passes its onnxruntime module, so this file stays isomorphic. One call
 * encodes a batch of users: a user's embedding and per-community attention come from their community list
 * alone.
 */

/** The parts of an onnxruntime module (onnxruntime-node or onnxruntime-web) this file uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'int32' | 'float32', data: Int32Array | Float32Array, dims: readonly number[]) => OrtTensor;
}
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

/** One community of an encoded user. */
export interface CommunityAttention {
  name: string;
  /** Display spelling from the vocabulary (the input spelling for unknown communities). */
  label: string;
  /** False when the model never saw it: its features came from the name through the embedder. */
  known: boolean;
  posts: number;
  comments: number;
  /** Mean attention over layers and heads; sums to 1 over the user's communities. */
  importance: number;
  /** Attention per layer, per head. */
  attention: number[][];
}

export interface EncodedUser {
  /** L2-normalised user embedding. */
  embedding: Float32Array;
  /** The user's communities, most important first. */
  communities: CommunityAttention[];
  /** Communities left out: unknown with no embedder, or beyond the model's neighbourhood size. */
  ignored: string[];
}

export interface Suggestion {
  name: string;
  label: string;
  /** What "communities like yours" rank by: see `suggestionScores` and SUGGESTION_RANKING. */
  score: number;
}

/**
 * How "communities like yours" are ranked, in words for the UI: by similarity of the embeddings alone.
 * The match score used to predict a hidden community adds a popularity prior, which puts the front page
 * (AskReddit, funny, pics) first for everyone: right for prediction, useless as a suggestion.
 */
export const SUGGESTION_RANKING = 'by similarity to your communities, not by popularity';

export interface EncodeOptions {
  /**
   * communities.jsonl records, used for communities outside the vocabulary: their features come from the
   * record through the model's embedder, exactly as training built them (the name alone otherwise).
   */
  records?: Pick<CommunityTable, 'get'>;
}

/** The model folder's files disagree with each other or with this code (the message names the file). */
export class ModelMismatchError extends InputError {}

export interface CreateEncoderOptions {
  ort: OrtModule;
  /** Bytes of encoder.onnx. */
  model: Uint8Array;
  /** Parsed (or raw JSON) vocabulary.json. */
  manifest: unknown;
  /** community-embeddings.bin as float32 values ([V, hidden]); optional, needed only for suggestions. */
  communityEmbeddings?: Float32Array;
  /** community-votes.bin decoded (votes.ts); required when the manifest lists votes and scores() is used. */
  communityVotes?: CommunityVotes;
  /**
   * Rebuilt from manifest.embedder by the caller; without it (and always for a structure-only model,
   * embedder kind "none"), unknown communities are reported as ignored, never given invented features.
   */
  embedder?: TextEmbedder;
  /** Passed to InferenceSession.create (execution providers, threads). */
  sessionOptions?: Record<string, unknown>;
}

export class CommunityEncoder {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly manifest: EncoderManifest,
    readonly vocabulary: Vocabulary,
    private readonly communityEmbeddings: Float32Array | undefined,
    private readonly embedder: TextEmbedder | undefined,
    private readonly votes: CommunityVotes | undefined,
  ) {}

  static async create(options: CreateEncoderOptions): Promise<CommunityEncoder> {
    const parsed = EncoderManifest.safeParse(options.manifest);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ModelMismatchError(`vocabulary.json: ${issue.path.join('.') || 'document'}: ${issue.message}; re-export the model with \`zipp encoder train\``);
    }
    const manifest = parsed.data;
    const c = manifest.communities;
    if ([c.labels, c.activity, c.users, c.prior].some((a) => a.length !== c.names.length)) {
      throw new ModelMismatchError('vocabulary.json: names, labels, activity, users and prior must have one entry per community');
    }
    if (vocabularyHash(c.names) !== manifest.vocabularyHash) {
      throw new ModelMismatchError('vocabulary.json: the community list does not match its recorded hash; the file was edited or truncated');
    }
    const meta = readOnnxMetadata(options.model);
    const onnxHash = meta.get(ONNX_METADATA.vocabularyHash);
    if (onnxHash !== manifest.vocabularyHash) {
      throw new ModelMismatchError(
        `encoder.onnx was exported for vocabulary ${onnxHash ?? '(none)'} but vocabulary.json is ${manifest.vocabularyHash}; keep the files of one training run together`,
      );
    }
    if (manifest.embedder.kind === 'none' && manifest.architecture.featureDim !== 0) {
      throw new ModelMismatchError('vocabulary.json: a structure-only model (embedder "none") has featureDim 0; re-export the model');
    }
    if (options.embedder && options.embedder.dimension !== manifest.architecture.featureDim) {
      throw new ModelMismatchError(`the embedder gives ${options.embedder.dimension} features, the model expects ${manifest.architecture.featureDim}`);
    }
    const dim = manifest.communityEmbeddings.dimension;
    if (options.communityEmbeddings && options.communityEmbeddings.length !== c.names.length * dim) {
      throw new ModelMismatchError(
        `community-embeddings.bin holds ${options.communityEmbeddings.length / dim} rows, the vocabulary ${c.names.length}; keep the files of one training run together`,
      );
    }
    const session = await options.ort.InferenceSession.create(options.model, options.sessionOptions);
    if (options.communityVotes && (!manifest.votes || options.communityVotes.k !== manifest.votes.k || options.communityVotes.neighbours.length !== c.names.length * manifest.votes.k)) {
      throw new ModelMismatchError('community-votes.bin does not fit vocabulary.json; keep the files of one training run together');
    }
    return new CommunityEncoder(options.ort, session, manifest, new Vocabulary(manifest), options.communityEmbeddings, options.embedder, options.communityVotes);
  }

  /** Builds the padded inputs for a batch (exposed for benchmarks and for callers that batch themselves). */
  prepare(lists: readonly (readonly CommunityActivity[])[], options: EncodeOptions = {}): Promise<PreparedBatch> {
    const a = this.manifest.architecture;
    return prepareBatch(lists, this.vocabulary, {
      ...(this.embedder ? { embedder: this.embedder } : {}),
      structureOnly: this.manifest.embedder.kind === 'none',
      ...(options.records ? { records: options.records } : {}),
      featureDim: a.featureDim,
      maxNeighbours: a.maxNeighbours,
      edgeScale: this.manifest.edges.edgeScale,
      epsilon: this.manifest.edges.epsilon,
    });
  }

  /** Runs the graph on prepared inputs: raw [batch, hidden] embeddings and [batch, layers, heads, width] attention. */
  async run(batch: PreparedBatch): Promise<{ embeddings: Float32Array; attention: Float32Array }> {
    const { Tensor } = this.ort;
    const n = batch.neighbourhood;
    const featureDim = this.manifest.architecture.featureDim;
    const out = await this.session.run({
      [ONNX_IO.ids]: new Tensor('int32', n.ids, [n.batch, n.width]),
      [ONNX_IO.edges]: new Tensor('float32', n.edges, [n.batch, n.width, 2]),
      [ONNX_IO.mask]: new Tensor('float32', n.mask, [n.batch, n.width]),
      // A structure-only model (featureDim 0) has no text path and no such input.
      ...(featureDim > 0 ? { [ONNX_IO.extra]: new Tensor('float32', batch.extraFeatures, [batch.extraCount, featureDim]) } : {}),
    });
    return { embeddings: out[ONNX_IO.embedding]!.data as Float32Array, attention: out[ONNX_IO.attention]!.data as Float32Array };
  }

  /** Encodes users from their community lists (one onnxruntime call for the whole batch). */
  async encode(lists: readonly (readonly CommunityActivity[])[], options: EncodeOptions = {}): Promise<EncodedUser[]> {
    if (lists.length === 0) return [];
    const batch = await this.prepare(lists, options);
    const { embeddings, attention } = await this.run(batch);
    const { hidden, layers, heads } = this.manifest.architecture;
    const width = batch.neighbourhood.width;
    return batch.slots.map((slots, u) => {
      const communities = slots.map((s, k) => {
        const perLayer: number[][] = [];
        let sum = 0;
        for (let l = 0; l < layers; l++) {
          const row: number[] = [];
          for (let h = 0; h < heads; h++) {
            const v = attention[((u * layers + l) * heads + h) * width + k]!;
            row.push(v);
            sum += v;
          }
          perLayer.push(row);
        }
        return {
          name: s.index === undefined ? s.name : this.vocabulary.name(s.index),
          label: s.index === undefined ? s.name : this.vocabulary.label(s.index),
          known: s.index !== undefined,
          posts: s.posts,
          comments: s.comments,
          importance: sum / (layers * heads),
          attention: perLayer,
        };
      });
      communities.sort((a, b) => b.importance - a.importance);
      return { embedding: embeddings.slice(u * hidden, (u + 1) * hidden), communities, ignored: batch.ignored[u]! };
    });
  }

  /**
   * Match scores of an encoded user against every vocabulary community: cosine of the embeddings plus the
   * community's learned prior (needs community-embeddings.bin), plus the co-membership votes of the user's
   * known communities when the model has them (needs community-votes.bin).
   */
  scores(user: Pick<EncodedUser, 'embedding' | 'communities'>): Float32Array {
    if (!this.communityEmbeddings) throw new Error('community-embeddings.bin was not loaded; pass communityEmbeddings to CommunityEncoder.create');
    const scores = scoreAll(user.embedding, this.communityEmbeddings, this.manifest.communityEmbeddings.dimension);
    const prior = this.manifest.communities.prior;
    for (let i = 0; i < scores.length; i++) scores[i]! += prior[i]!;
    if (this.manifest.votes) {
      if (!this.votes) throw new Error('community-votes.bin was not loaded; pass communityVotes to CommunityEncoder.create');
      addVotes(scores, user.communities.flatMap((c) => (c.known ? [this.vocabulary.lookup(c.name)!] : [])), this.votes);
    }
    return scores;
  }

  /** "Communities like yours" scores: the cosine of the embeddings, without the popularity prior. */
  suggestionScores(embedding: Float32Array): Float32Array {
    if (!this.communityEmbeddings) throw new Error('community-embeddings.bin was not loaded; pass communityEmbeddings to CommunityEncoder.create');
    return scoreAll(embedding, this.communityEmbeddings, this.manifest.communityEmbeddings.dimension);
  }

  /** The k vocabulary communities most like a user's (SUGGESTION_RANKING), leaving out the ones they already take part in. */
  suggest(user: EncodedUser, k = 10): Suggestion[] {
    const scores = this.suggestionScores(user.embedding);
    const exclude = new Set(user.communities.flatMap((c) => (c.known ? [this.vocabulary.lookup(c.name)!] : [])));
    return topK(scores, k, exclude).map((i) => ({ name: this.vocabulary.name(i), label: this.vocabulary.label(i), score: scores[i]! }));
  }

  /** Importance per community name, the shape persona verbalization takes (`ImportanceScorer`). */
  async importance(activity: readonly CommunityActivity[]): Promise<Map<string, number>> {
    const [user] = await this.encode([activity]);
    return new Map(user!.communities.map((c) => [c.name, c.importance]));
  }

  async release(): Promise<void> {
    await this.session.release?.();
  }
}
