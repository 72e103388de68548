import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { COSINE_SHRINK, type TrainEdges } from '../../shared/encoder/baselines.ts';
import { addVotes, decodeVotes, encodeVotes, voteNeighbours } from '../../shared/encoder/votes.ts';
import { initBackend } from '../../models/encoder/backend.ts';
import { castVotes } from '../../models/encoder/votes.ts';

// Four communities a..d (rows 0..3); users 0: {a, b}, 1: {a, b, c}, 2: {a}, 3: {c, d}.
const edges: TrainEdges = {
  users: Int32Array.from([0, 0, 1, 1, 1, 2, 3, 3]),
  communities: Int32Array.from([0, 1, 0, 1, 2, 0, 2, 3]),
  activity: new Float32Array(8).fill(1),
};
const cos = (c: number, ni: number, nj: number) => c / (Math.sqrt(ni * nj) + COSINE_SHRINK);

describe('co-membership votes', () => {
  it('keep each community’s nearest co-members by shrunk cosine, −1 where there are fewer', () => {
    const { neighbours, similarity } = voteNeighbours(4, edges, 2);
    // a: b (C=2, n=3·2) before c (C=1, n=3·2); d never shares a user with a.
    expect(Array.from(neighbours.subarray(0, 2))).toEqual([1, 2]);
    expect(similarity[0]!).toBeCloseTo(cos(2, 3, 2), 6);
    expect(similarity[1]!).toBeCloseTo(cos(1, 3, 2), 6);
    // d: only c.
    expect(Array.from(neighbours.subarray(6, 8))).toEqual([2, -1]);
  });

  it('add each input community’s weighted votes once, and survive the file round trip', () => {
    const { neighbours } = voteNeighbours(4, edges, 2);
    const votes = { k: 2, neighbours, weights: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    const scores = new Float32Array(4);
    addVotes(scores, [0, 3, 0], votes); // a votes b +1, c +2; d votes c +7; the repeated a counts once
    expect(Array.from(scores)).toEqual([0, 1, 9, 0]);
    const back = decodeVotes(encodeVotes(votes), 4);
    expect(Array.from(back.neighbours)).toEqual(Array.from(neighbours));
    expect(Array.from(back.weights)).toEqual(Array.from(votes.weights));
    expect(() => decodeVotes(encodeVotes(votes), 5)).toThrow(/does not fit this vocabulary/);
  });

  it('as a training op: the logits the inference scorer gives, and the gradient of each weight sums its cells', async () => {
    await initBackend('wasm');
    const { neighbours } = voteNeighbours(4, edges, 2);
    const weights = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    // Two users, width 2: {a, d} and {b, padding}.
    const inputs = Int32Array.from([0, 3, 1, -1]);
    const w = tf.tensor2d(weights, [4, 2]);
    const logits = castVotes(w, inputs, 2, neighbours, 4);
    const want = [new Float32Array(4), new Float32Array(4)];
    addVotes(want[0]!, [0, 3], { k: 2, neighbours, weights });
    addVotes(want[1]!, [1], { k: 2, neighbours, weights });
    expect(Array.from(logits.dataSync())).toEqual([...want[0]!, ...want[1]!]);
    // Upstream gradient g[b, c] = 10·b + c + 1: weight (s, slot) gets Σ over users with s of g[b, neighbour].
    const g = tf.tensor2d([1, 2, 3, 4, 11, 12, 13, 14], [2, 4]);
    const dw = tf.grad((x: tf.Tensor) => castVotes(x as tf.Tensor2D, inputs, 2, neighbours, 4).mul(g).sum())(w).dataSync();
    const expected = new Float32Array(8);
    const users = [[0, 3], [1]];
    users.forEach((rows, b) => rows.forEach((s) => [0, 1].forEach((slot) => {
      const c = neighbours[s * 2 + slot]!;
      if (c >= 0) expected[s * 2 + slot]! += 10 * b + c + 1;
    })));
    expect(Array.from(dw)).toEqual(Array.from(expected));
  });
});
