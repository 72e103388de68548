import type { NoTextFeaturesConfig, TextEmbedder } from './types.ts';

/**
 * The embedder of a structure-only model (`zipp encoder train --embedder none`): zero features, so the
 * encoder learns one id vector per community from co-membership alone. Used at training time only; at
 * inference a structure-only model has no embedder and reports unknown communities as ignored.
 */
export class NoTextFeatures implements TextEmbedder {
  readonly dimension = 0;
  describe(): NoTextFeaturesConfig {
    return { kind: 'none' };
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map(() => new Float32Array(0));
  }
}
