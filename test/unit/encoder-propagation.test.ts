import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../shared/graph/bipartite.ts';
import { initBackend } from '../../models/encoder/backend.ts';
import { propagate, propagationGraph } from '../../models/encoder/propagation.ts';

/** Â = D_c^{-1/2} Xᵀ D_u^{-1} X D_c^{-1/2} written out densely, the definition the fast op must match. */
function denseA(users: string[][], communities: string[]): number[][] {
  const col = new Map(communities.map((c, i) => [c, i]));
  const V = communities.length;
  const dc = new Array<number>(V).fill(0);
  for (const u of users) for (const c of u) dc[col.get(c)!]! += 1;
  const A = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  for (const u of users)
    for (const a of u) for (const b of u) A[col.get(a)!]![col.get(b)!]! += 1 / u.length / Math.sqrt(dc[col.get(a)!]! * dc[col.get(b)!]!);
  return A;
}

describe('co-membership propagation', () => {
  const users = [['a', 'b', 'c'], ['a', 'c'], ['b', 'd'], ['d'], ['a', 'b', 'c', 'd']];
  const graph = buildGraph(users.flatMap((cs, u) => cs.map((c) => ({ user: `u${u}`, community: c, posts: 1, comments: 0 }))));
  const names = graph.communities;
  const A = denseA(users, names);
  const V = names.length;
  const H = 3;
  const h = Array.from({ length: V * H }, (_, i) => Math.sin(i + 1));
  const upstream = Array.from({ length: V * H }, (_, i) => Math.cos(2 * i));
  const times = (M: number[][], x: number[]) => M.flatMap((row) => Array.from({ length: H }, (_, k) => row.reduce((s, a, j) => s + a * x[j * H + k]!, 0)));

  it('adds Â h and Â² h to the states, and its gradient is the transpose applied to the upstream gradient', async () => {
    await initBackend('wasm');
    const g = propagationGraph(graph);
    const x = tf.tensor2d(h, [V, H]);
    const out = propagate(x, g, 2);
    const Ah = times(A, h);
    const want = h.map((v, i) => v + Ah[i]! + times(A, Ah)[i]!);
    [...out.dataSync()].forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    // d/dh of <upstream, h + Âh + Â²h> = upstream + Âᵀu + (Âᵀ)²u; Â is symmetric, but the check uses the transpose.
    const At = A[0]!.map((_, j) => A.map((row) => row[j]!));
    const grad = tf.grad((t: tf.Tensor) => propagate(t as tf.Tensor2D, g, 2).mul(tf.tensor2d(upstream, [V, H])).sum())(x);
    const Atu = times(At, upstream);
    const wantGrad = upstream.map((v, i) => v + Atu[i]! + times(At, Atu)[i]!);
    [...grad.dataSync()].forEach((v, i) => expect(v).toBeCloseTo(wantGrad[i]!, 5));
    // Â is symmetric, which is why the op can serve as its own gradient.
    expect(A.every((row, i) => row.every((a, j) => a === A[j]![i]))).toBe(true);
  });
});
