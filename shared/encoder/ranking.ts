/** Cosine scores of one L2-normalised user embedding against every row of a [rows, dim] table of unit vectors. */
export function scoreAll(embedding: Float32Array, table: Float32Array, dim: number): Float32Array {
  const rows = table.length / dim;
  const scores = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * dim;
    for (let d = 0; d < dim; d++) s += embedding[d]! * table[o + d]!;
    scores[r] = s;
  }
  return scores;
}

/** Indices of the k highest scores, best first, skipping `exclude`; ties keep the lower index first. */
export function topK(scores: ArrayLike<number>, k: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const best: number[] = [];
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  for (let i = 0; i < scores.length; i++) {
    if (exclude.has(i)) continue;
    if (best.length === k && !worse(best[k - 1]!, i)) continue;
    let j = best.length < k ? best.length : k - 1;
    best[j] = i;
    while (j > 0 && worse(best[j - 1]!, best[j]!)) {
      [best[j - 1], best[j]] = [best[j]!, best[j - 1]!];
      j--;
    }
  }
  return best;
}

/** 1-based rank of `target` among the candidates not excluded; ties count half (the expected rank under a random tie-break). */
export function rankOf(scores: ArrayLike<number>, target: number, exclude: ReadonlySet<number> = new Set()): number {
  const t = scores[target]!;
  let above = 0;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i === target || exclude.has(i)) continue;
    if (scores[i]! > t) above++;
    else if (scores[i] === t) ties++;
  }
  return 1 + above + Math.floor(ties / 2);
}
