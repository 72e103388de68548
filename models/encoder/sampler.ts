import type { Rng } from '../../shared/encoder/random.ts';
import { communityMembers, userCommunities, userDegree, type BipartiteGraph } from '../../shared/graph/bipartite.ts';
import { buildPaddedNeighbourhood, type NeighbourEntry } from '../../shared/graph/neighbourhood.ts';
import type { EncoderConfig } from './config.ts';
import { MASK_PENALTY } from './gatv2.ts';

/**
 * Training steps for the user ↔ community InfoNCE (the paper's Algorithm 2): per user, one community
 * drawn uniformly is the positive and is removed from the user's input that step, so the model learns to
 * predict a community from the others — exactly the leave-one-out task it is evaluated on.
 *
 * Candidates per step: every user's positive (in-batch negatives), near-neighbour negatives (a community
 * reached by user → community → co-member → community that the user is not in), and uniformly drawn
 * vocabulary communities. A candidate that is one of the user's true communities is masked out for that
 * user, so no true community is ever pushed away.
 *
 * Only the unique communities of a step are projected (`unique`), and slots / candidates index into them.
 */
export interface StepBatch {
  users: Int32Array;
  size: number;
  width: number;
  /** Global community ids used this step. */
  unique: Int32Array;
  /** [size, width] local ids into `unique`. */
  slots: Int32Array;
  edges: Float32Array;
  mask: Float32Array;
  /** Local ids of the candidates every user is scored against (the whole vocabulary, or shared negatives). */
  candidates: Int32Array;
  /**
   * Sampled mode: local id of each user's own positive, scored as an extra first logit column
   * (so the logits are [size, 1 + candidates]); null when the candidates are the whole vocabulary.
   */
  positives: Int32Array | null;
  /** Logit columns per user: candidates (+1 with `positives`). */
  columns: number;
  /**
   * [size, columns] target distribution per user: 1/m on each of the m communities removed from the
   * user's input this step, 0 elsewhere.
   */
  targets: Float32Array;
  /**
   * [size, columns] added to the logits, no gradient: MASK_PENALTY on the user's other true communities,
   * and in sampled mode −log(expected frequency) of each candidate (the logQ sampling correction).
   */
  constant: Float32Array;
  /** Per user, a column holding one of their positives (the link BCE positive). */
  labels: Int32Array;
  /** True when `unique` is the whole vocabulary in order (local id = global id). */
  wholeVocabulary: boolean;
  /** Real (unpadded) user–community slots. */
  realEdges: number;
}

/** Mean of w_us over all edges, for the edge-feature scale. */
export function meanEdgeWeight(graph: BipartiteGraph, epsilon: number): number {
  let sum = 0;
  for (let u = 0; u < graph.users.length; u++) {
    for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) {
      const t = graph.edgePosts[e]! + graph.edgeComments[e]!;
      sum += Math.log1p(t) / Math.sqrt(graph.userActivity[u]! * graph.communityActivity[graph.edgeCommunity[e]!]! + epsilon);
    }
  }
  return sum / Math.max(1, graph.edgeCommunity.length);
}

export class Sampler {
  private readonly members: { offsets: Int32Array; users: Int32Array };
  /** Probability that a community is the positive of a uniformly drawn eligible user. */
  private readonly positiveProbability: Float64Array;

  constructor(
    private readonly graph: BipartiteGraph,
    private readonly cfg: EncoderConfig,
    private readonly edgeScale: number,
    private readonly epsilon: number,
  ) {
    this.members = communityMembers(graph);
    const users = this.eligibleUsers();
    this.positiveProbability = new Float64Array(graph.communities.length);
    for (const u of users) {
      const own = userCommunities(graph, u);
      for (const c of own) this.positiveProbability[c]! += 1 / own.length / users.length;
    }
  }

  /**
   * log P(community is a user's positive), centred: the bias a model ranking by popularity alone would
   * have. Training starts from it and learns where a user's other communities say otherwise.
   */
  logPopularity(): Float32Array {
    const logs = Array.from(this.positiveProbability, (p) => Math.log(p + 1e-7));
    const mean = logs.reduce((a, b) => a + b, 0) / Math.max(1, logs.length);
    return Float32Array.from(logs, (l) => l - mean);
  }

  /** Users that can train (at least two communities: one to predict, one to predict it from). */
  eligibleUsers(): number[] {
    const out: number[] = [];
    for (let u = 0; u < this.graph.users.length; u++) if (userDegree(this.graph, u) >= 2) out.push(u);
    return out;
  }

  /**
   * One epoch's batches. Users are shuffled, then sorted by degree inside windows of 8 batches so a batch
   * holds similar neighbourhood sizes (less padding), and the batch order is shuffled again.
   */
  epochPlan(rng: Rng, users: readonly number[]): number[][] {
    const order = rng.shuffle([...users]);
    const B = this.cfg.batchSize;
    const window = B * 8;
    const batches: number[][] = [];
    for (let w = 0; w < order.length; w += window) {
      const chunk = order.slice(w, w + window).sort((a, b) => userDegree(this.graph, a) - userDegree(this.graph, b));
      for (let i = 0; i < chunk.length; i += B) batches.push(chunk.slice(i, i + B));
    }
    return rng.shuffle(batches);
  }

  private nearNeighbour(rng: Rng, own: Int32Array): number {
    for (let attempt = 0; attempt < 4; attempt++) {
      const via = own[rng.int(own.length)]!;
      const m0 = this.members.offsets[via]!;
      const m1 = this.members.offsets[via + 1]!;
      const other = this.members.users[m0 + rng.int(m1 - m0)]!;
      const theirs = userCommunities(this.graph, other);
      const c = theirs[rng.int(theirs.length)]!;
      if (!binaryHas(own, c)) return c;
    }
    return rng.int(this.graph.communities.length);
  }

  batch(rng: Rng, users: readonly number[]): StepBatch {
    const g = this.graph;
    const whole = this.cfg.negatives === 'vocabulary';
    const lists: NeighbourEntry[][] = [];
    const removed: number[][] = [];
    for (const u of users) {
      const own = userCommunities(g, u);
      // One removed community (the paper's setting); with a full softmax optionally a share of them,
      // which gives more training signal per step to users with long lists.
      const m = whole ? Math.min(own.length - 1, Math.max(1, Math.round(this.cfg.maskRate * own.length))) : 1;
      const order = own.length === 1 ? [0] : partialShuffle(rng, own.length, m);
      const drop = new Set(order.slice(0, m));
      removed.push([...drop].map((i) => own[i]!));
      const list: NeighbourEntry[] = [];
      for (let i = 0; i < own.length; i++) {
        if (drop.has(i)) continue;
        const e = g.offsets[u]! + i;
        list.push({ index: own[i]!, posts: g.edgePosts[e]!, comments: g.edgeComments[e]! });
      }
      lists.push(list);
    }
    const positives = removed.map((r) => r[0]!);
    const hood = buildPaddedNeighbourhood(lists, {
      communityActivity: (i) => g.communityActivity[i]!,
      maxWidth: this.cfg.maxNeighbours,
      edgeScale: this.edgeScale,
      epsilon: this.epsilon,
    });

    const B = users.length;
    const V = g.communities.length;
    const local = new Map<number, number>();
    const toLocal = (c: number) => {
      let i = local.get(c);
      if (i === undefined) local.set(c, (i = local.size));
      return i;
    };
    let candidatesGlobal: number[];
    if (whole) {
      for (let c = 0; c < V; c++) toLocal(c);
      candidatesGlobal = Array.from({ length: V }, (_, c) => c);
    } else {
      // Shared negatives: other users' positives (in-batch), near neighbours of batch users, uniform draws.
      const inBatch = Math.min(B, this.cfg.inBatchNegatives);
      candidatesGlobal = positives.slice(0, inBatch);
      for (let r = 0; r < this.cfg.hardNegatives; r++) candidatesGlobal.push(this.nearNeighbour(rng, userCommunities(g, users[rng.int(B)]!)));
      for (let r = 0; r < this.cfg.randomNegatives; r++) candidatesGlobal.push(rng.int(V));
    }
    const slots = new Int32Array(hood.ids.length);
    for (let i = 0; i < hood.ids.length; i++) slots[i] = hood.mask[i] ? toLocal(hood.ids[i]!) : 0;
    if (local.size === 0) toLocal(0);
    const candidates = Int32Array.from(candidatesGlobal, toLocal);
    const positiveIds = whole ? null : Int32Array.from(positives, toLocal);

    const C = candidates.length;
    const columns = whole ? C : C + 1;
    const constant = new Float32Array(B * columns);
    const targets = new Float32Array(B * columns);
    const labels = new Int32Array(B);
    if (whole) {
      users.forEach((u, i) => {
        const out = new Set(removed[i]);
        labels[i] = removed[i]![0]!;
        for (const c of userCommunities(g, u)) {
          if (out.has(c)) targets[i * C + c] = 1 / out.size;
          else constant[i * C + c] = MASK_PENALTY;
        }
      });
    } else {
      // Sampling-bias correction: expected count of community j among this step's candidates. Positives and
      // near neighbours are drawn roughly like positives are; the rest uniformly.
      const correct = this.cfg.samplingCorrection;
      const likePositives = Math.min(B, this.cfg.inBatchNegatives) + this.cfg.hardNegatives;
      const logQ = (c: number) => (correct ? -Math.log(likePositives * this.positiveProbability[c]! + this.cfg.randomNegatives / V + 1e-9) : 0);
      const candidateBias = Float32Array.from(candidatesGlobal, logQ);
      users.forEach((u, i) => {
        const own = userCommunities(g, u);
        const row = i * columns;
        targets[row] = 1;
        constant[row] = logQ(positives[i]!);
        for (let j = 0; j < C; j++) constant[row + 1 + j] = binaryHas(own, candidatesGlobal[j]!) ? MASK_PENALTY : candidateBias[j]!;
      });
    }
    let realEdges = 0;
    for (let i = 0; i < hood.mask.length; i++) realEdges += hood.mask[i]!;
    return {
      users: Int32Array.from(users),
      size: B,
      width: hood.width,
      unique: Int32Array.from(local.keys()),
      slots,
      edges: hood.edges,
      mask: hood.mask,
      candidates,
      positives: positiveIds,
      columns,
      targets,
      constant,
      labels,
      wholeVocabulary: whole,
      realEdges,
    };
  }
}

/** `sorted` holds a user's community ids in increasing order (as BipartiteGraph stores them). */
function binaryHas(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The first k positions of a seeded random permutation of 0..n-1. */
function partialShuffle(rng: Rng, n: number, k: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}
