import { createHash } from 'node:crypto';
import type { StudyConfig } from './config.ts';

/**
 * A participant's trials, decided when they join. Per condition, `trials` prompts (the study's prompts in
 * a shuffled order, cycling when there are fewer than trials) and a counterbalanced side: half the trials
 * put arm A on the left, half on the right (an odd one out is decided at random), so a participant who
 * always clicks one side cannot favour a method. Then all trials are shuffled together. The shuffle is
 * seeded by the participant id, so the plan can be rebuilt and audited from the stored id alone.
 */
export interface PlannedTrial {
  condition: string;
  prompt: string;
  /** Which arm shows on the left. */
  left: 'a' | 'b';
  seed: number;
}

export function planTrials(config: StudyConfig, participantId: string): PlannedTrial[] {
  const random = seededRandom(participantId);
  const trials: PlannedTrial[] = [];
  for (const condition of config.conditions) {
    const prompts = shuffle([...config.prompts], random);
    const sides = Array.from({ length: condition.trials }, (_, i): 'a' | 'b' => (i < Math.floor(condition.trials / 2) ? 'a' : 'b'));
    if (condition.trials % 2 === 1) sides[condition.trials - 1] = random() < 0.5 ? 'a' : 'b';
    shuffle(sides, random);
    for (let i = 0; i < condition.trials; i++) {
      trials.push({ condition: condition.id, prompt: prompts[i % prompts.length]!, left: sides[i]!, seed: config.seed + Math.floor(i / prompts.length) });
    }
  }
  return shuffle(trials, random);
}

/** Fisher–Yates in place. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** mulberry32 seeded from the SHA-256 of a string: small, fast, and the same on every platform. */
export function seededRandom(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
