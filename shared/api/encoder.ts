import { z } from 'zod';
import { MODEL_FILES } from '../encoder/manifest.ts';
import { JOB_ID } from './jobs.ts';
import { UploadId } from './uploads.ts';

/** A server-side file: an earlier upload, or a path relative to the data directory. */
export const FileRef = z.union([
  z.strictObject({ upload: UploadId }),
  z.strictObject({ path: z.string().min(1).max(1000).describe('relative to the server data directory') }),
]);
export type FileRef = z.infer<typeof FileRef>;

/**
 * `POST /v1/encoder/train`, given the hyperparameters a client may set. Those are the encoder's own
 * (server/jobs/kinds/encoder-train.ts `TrainSettings`, from models/encoder/config.ts), which this layer
 * may not import: the server passes them in.
 */
export function trainBody<S extends z.ZodType>(settings: S) {
  return z.strictObject({
    /** CSV / JSONL / NDJSON(.zst) activity, or several. */
    interactions: z.union([FileRef, z.array(FileRef).min(1).max(20)]),
    /** communities.jsonl (names, descriptions, NSFW flags): features and filters. */
    communities: FileRef.optional(),
    config: settings.optional(),
    holdoutShare: z.number().min(0).max(0.5).optional(),
    minCommunityUsers: z.number().int().min(1).optional(),
    minCommunityActivity: z.number().int().min(0).optional(),
    /** Keep only names that follow Reddit's rule (letters, digits, _ . -), as `zipp encoder train --reddit-names`. */
    redditNames: z.boolean().optional(),
    skipEvaluation: z.boolean().optional(),
  });
}

/** Files of a model directory a client may download (what the extension installs, plus the reports). */
export const DOWNLOADABLE_MODEL_FILES: ReadonlySet<string> = new Set([...Object.values(MODEL_FILES), 'evaluation.json', 'training-log.json']);

/** A trained model is named by the training job that made it. */
export const ModelParams = z.strictObject({ id: z.string().regex(JOB_ID, 'a model id is the id of the training job that made it') });
export const ModelFileParams = ModelParams.extend({
  file: z.string().refine((f) => DOWNLOADABLE_MODEL_FILES.has(f), `one of ${[...DOWNLOADABLE_MODEL_FILES].join(', ')}`),
});

export const ModelInfo = z.object({
  id: z.string(),
  createdAt: z.string(),
  communities: z.number().int(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int(), url: z.string() })),
  training: z.record(z.string(), z.unknown()).optional(),
  evaluation: z.unknown().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** `GET /v1/encoder/models`: the models this server trained, newest first, and the encoder serving inference. */
export const ModelList = z.object({
  active: z.object({ loaded: z.boolean(), dir: z.string() }).passthrough(),
  models: z.array(ModelInfo),
});
