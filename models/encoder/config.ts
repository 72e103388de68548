import { z } from 'zod';

/**
 * Hyperparameters of the encoder and its training. Defaults are the shipped model's configuration
 * (models/zipp-encoder/model-card.md explains the choices); the architecture follows the method: 2 GATv2
 * layers × 4 heads, LayerNorm before attention, LeakyReLU 0.2, residuals, L2-normalised outputs.
 */
export const EncoderConfig = z.object({
  hidden: z.number().int().min(8).max(1024).default(32),
  heads: z.number().int().min(1).max(16).default(4),
  layers: z.number().int().min(1).max(4).default(2),
  /** Communities per user attended over (longer lists keep their most active entries). */
  maxNeighbours: z.number().int().min(2).max(512).default(50),
  /** Softmax temperature of both InfoNCE terms. */
  temperature: z.number().positive().max(1).default(0.1),
  /** Std of the Gaussian noise added to the learned initial user state during training (the paper: N(0, 0.01 I)). */
  userNoise: z.number().min(0).default(0.1),
  /**
   * Probability of dropping a community's free (ID) embedding in a step, so the text-feature path alone
   * also places communities well — that path is all an unknown community has at inference.
   */
  idDropout: z.number().min(0).max(1).default(0.5),
  learningRate: z.number().positive().default(1e-3),
  /**
   * Decay of an exponential moving average of the weights, updated after every step; validation and
   * export use the average (0 = off). Averaging damps the step-to-step noise of small, sparse data.
   */
  ema: z.number().min(0).max(0.9999).default(0.9),
  /** Users per step. */
  batchSize: z.number().int().min(4).default(1024),
  epochs: z.number().int().min(1).default(40),
  /** Stop after this many epochs without a better validation score. */
  patience: z.number().int().min(1).default(10),
  /**
   * Which validation number picks the epoch to keep: "loss" (cross-entropy of the hidden community: smooth,
   * less noisy on small validation sets) or "mrr".
   */
  selectBy: z.enum(['loss', 'mrr']).default('loss'),
  /**
   * Candidates of the user ↔ community InfoNCE. "sampled": the batch's positives (in-batch negatives),
   * near-neighbour negatives and uniformly drawn communities, with the sampling-bias (logQ) correction so
   * popular communities are not under-ranked. "vocabulary": every vocabulary community (a full softmax;
   * in-batch and near-neighbour negatives are then among the candidates by construction) — affordable
   * for vocabularies of a few thousand communities.
   */
  negatives: z.enum(['sampled', 'vocabulary']).default('sampled'),
  /**
   * With negatives = "vocabulary": share of a user's communities removed from the input and predicted
   * each step (at least one, never all). 0 = exactly one, the paper's setting.
   */
  maskRate: z.number().min(0).max(0.9).default(0),
  /** Subtract log(expected candidate frequency) from sampled logits (Yi et al., RecSys 2019). */
  samplingCorrection: z.boolean().default(true),
  /**
   * Co-membership propagation steps of the community states over the training graph (0 = off; see
   * propagation.ts): communities also aggregate from their users, so rare ones borrow from co-members.
   */
  propagation: z.number().int().min(0).max(3).default(0),
  /**
   * L2 penalty on the free community vectors (the loss gets ½·λ·‖E‖², as Adam's coupled weight decay
   * would add λE to the gradient). Rarely joined communities otherwise memorise their few users.
   */
  idWeightDecay: z.number().min(0).default(0),
  /**
   * Co-membership votes (shared/encoder/votes.ts): each community's k nearest co-members by shrunk cosine
   * get a learned weight, and a user's input communities vote for them in the match score (0 = off).
   * Needs negatives = "vocabulary" (the votes land on arbitrary columns of the full softmax).
   */
  votes: z.number().int().min(0).max(256).default(0),
  /** Learn a free vector per vocabulary community on top of its text features. */
  freeEmbeddings: z.boolean().default(true),
  /** Sampled mode: other users' positives shared as negatives by the whole batch (in-batch negatives). */
  inBatchNegatives: z.number().int().min(0).default(256),
  /** Sampled mode: near-neighbour (co-member) negatives per step, drawn around batch users, shared. */
  hardNegatives: z.number().int().min(0).default(256),
  /** Sampled mode: uniformly drawn vocabulary negatives per step, shared. */
  randomNegatives: z.number().int().min(0).default(128),
  /** Weight of the user ↔ image InfoNCE term when image embeddings are given (the paper: λ = 1). */
  imageWeight: z.number().min(0).default(1),
  /** Weight of the optional link-prediction BCE with negative sampling (0 = off). */
  linkWeight: z.number().min(0).default(0),
  /** Share of eligible users held out for validation (early stopping). */
  validationShare: z.number().min(0).max(0.5).default(0.1),
  /** Validation users scored per epoch (a fixed, seeded sample). */
  validationUsers: z.number().int().min(10).default(1000),
  seed: z.number().int().default(42),
});
export type EncoderConfig = z.infer<typeof EncoderConfig>;
export type EncoderConfigInput = z.input<typeof EncoderConfig>;
