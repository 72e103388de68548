import type { CommunityActivity } from '../schemas/community.ts';
import { createRng } from './random.ts';
import { rankOf } from './ranking.ts';
import type { Vocabulary } from './vocabulary.ts';

/**
 * Leave-one-out ranking on users: for each user with at least 3 communities (2 of them in the model's
 * vocabulary), one vocabulary community is hidden (seeded choice), the rest is the input, and every
 * vocabulary community the user did not give as input is ranked. Metrics:
 *   hit@1, hit@10   share of users whose hidden community ranks first / in the top 10,
 *   mrr             mean of 1 / rank,
 *   posting_accuracy  share of users whose hidden community scores above one random vocabulary
 *                   community they never took part in (ties count ½) — the paper's "posting accuracy".
 */
export interface LeaveOneOutCase {
  user: string;
  /** The user's communities minus the hidden one (may include communities outside the vocabulary). */
  input: CommunityActivity[];
  hidden: number;
  /** A vocabulary community the user never took part in (for posting accuracy). */
  negative: number;
  /** Vocabulary rows of the input: not ranked. */
  exclude: Set<number>;
}

export interface RankingMetrics {
  'hit@1': number;
  'hit@10': number;
  mrr: number;
  posting_accuracy: number;
}

export const MIN_EVAL_COMMUNITIES = 3;

/** What the case builder needs of a vocabulary (the training graph's index works too). */
export type RowLookup = Pick<Vocabulary, 'size' | 'lookup'>;

export function leaveOneOutCases(users: ReadonlyMap<string, readonly CommunityActivity[]>, vocabulary: RowLookup, seed: number): LeaveOneOutCase[] {
  const rng = createRng(seed);
  const cases: LeaveOneOutCase[] = [];
  for (const user of [...users.keys()].sort()) {
    const list = users.get(user)!;
    if (list.length < MIN_EVAL_COMMUNITIES) continue;
    const rows = list.map((a) => vocabulary.lookup(a.name));
    const known = rows.flatMap((r, i) => (r === undefined ? [] : [i]));
    if (known.length < 2) continue;
    const hiddenPos = known[rng.int(known.length)]!;
    const all = new Set(rows.filter((r): r is number => r !== undefined));
    if (all.size >= vocabulary.size) continue;
    let negative: number;
    do negative = rng.int(vocabulary.size);
    while (all.has(negative));
    const hidden = rows[hiddenPos]!;
    const exclude = new Set([...all].filter((r) => r !== hidden));
    cases.push({ user, input: list.filter((_, i) => i !== hiddenPos), hidden, negative, exclude });
  }
  return cases;
}

export class MetricAccumulator {
  private n = 0;
  private hit1 = 0;
  private hit10 = 0;
  private rr = 0;
  private posting = 0;

  add(scores: ArrayLike<number>, c: LeaveOneOutCase): number {
    const rank = rankOf(scores, c.hidden, c.exclude);
    const h = scores[c.hidden]!;
    const neg = scores[c.negative]!;
    this.addRank(rank, h > neg ? 1 : h === neg ? 0.5 : 0);
    return rank;
  }

  /** A case ranked elsewhere (e.g. batched on a tensor backend): its rank and posting outcome (1, ½ or 0). */
  addRank(rank: number, posting: number): void {
    this.n++;
    if (rank === 1) this.hit1++;
    if (rank <= 10) this.hit10++;
    this.rr += 1 / rank;
    this.posting += posting;
  }

  get count(): number {
    return this.n;
  }

  result(): RankingMetrics {
    const d = Math.max(1, this.n);
    return { 'hit@1': this.hit1 / d, 'hit@10': this.hit10 / d, mrr: this.rr / d, posting_accuracy: this.posting / d };
  }
}
