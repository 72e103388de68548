import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { z } from 'zod';
import { MODEL_FILES } from '../../../shared/encoder/manifest.ts';
import { EncoderTrainParams, modelDirOf, TrainSettings } from '../../jobs/kinds/encoder-train.ts';
import { Job } from '../../jobs/schema.ts';
import { resolveInside } from '../data-paths.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';
import type { ApiDocs } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import type { AppServices } from '../services.ts';
import { UploadId, uploadPath } from '../uploads.ts';

/** A server-side file: an earlier upload, or a path relative to the data directory. */
const FileRef = z.union([
  z.strictObject({ upload: UploadId }),
  z.strictObject({ path: z.string().min(1).max(1000).describe('relative to the server data directory') }),
]);
type FileRef = z.infer<typeof FileRef>;

export const TrainBody = z.strictObject({
  /** CSV / JSONL / NDJSON(.zst) activity, or several. */
  interactions: z.union([FileRef, z.array(FileRef).min(1).max(20)]),
  /** communities.jsonl (names, descriptions, NSFW flags): features and filters. */
  communities: FileRef.optional(),
  config: TrainSettings.optional(),
  holdoutShare: z.number().min(0).max(0.5).optional(),
  minCommunityUsers: z.number().int().min(1).optional(),
  minCommunityActivity: z.number().int().min(0).optional(),
  skipEvaluation: z.boolean().optional(),
});

/** Files of a model directory a client may download (what the extension installs, plus the reports). */
const DOWNLOADABLE = new Set<string>([...Object.values(MODEL_FILES), 'evaluation.json', 'training-log.json']);
const ModelParams = z.strictObject({ id: z.string().regex(/^job_[a-z0-9]{20}$/, 'a model id is the id of the training job that made it') });
const FileParams = ModelParams.extend({
  file: z.string().refine((f) => DOWNLOADABLE.has(f), `one of ${[...DOWNLOADABLE].join(', ')}`),
});

const ModelInfo = z.object({
  id: z.string(),
  createdAt: z.string(),
  communities: z.number().int(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int(), url: z.string() })),
  training: z.record(z.string(), z.unknown()).optional(),
  evaluation: z.unknown().optional(),
});

export function encoderRoutes(app: Hono<AppEnv>, docs: ApiDocs, s: AppServices): void {
  const modelsDir = path.join(s.dataDir, 'models');

  /** Resolves one file reference to an existing file inside the data directory. */
  const resolveRef = (ref: FileRef, field: string): string => {
    if ('upload' in ref) return uploadPath(s.dataDir, ref.upload, `${field}.upload`);
    const file = resolveInside(s.dataDir, ref.path, `${field}.path`);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new ApiError(400, 'invalid_request', `${field}.path: no file ${ref.path} in the data directory; upload it with POST /v1/uploads`, `${field}.path`);
    }
    return file;
  };

  const describe = (id: string): z.infer<typeof ModelInfo> | undefined => {
    const dir = path.join(modelsDir, id);
    const manifestFile = path.join(dir, MODEL_FILES.manifest);
    if (!existsSync(manifestFile)) return undefined;
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { communities: { names: string[] }; training?: Record<string, unknown> };
    const evaluation = path.join(dir, 'evaluation.json');
    return {
      id,
      createdAt: statSync(manifestFile).mtime.toISOString(),
      communities: manifest.communities.names.length,
      files: readdirSync(dir)
        .filter((f) => DOWNLOADABLE.has(f))
        .sort()
        .map((f) => ({ name: f, bytes: statSync(path.join(dir, f)).size, url: `/v1/encoder/models/${id}/${f}` })),
      ...(manifest.training ? { training: manifest.training } : {}),
      ...(existsSync(evaluation) ? { evaluation: JSON.parse(readFileSync(evaluation, 'utf8')) } : {}),
    };
  };

  defineRoute(
    app,
    docs,
    {
      method: 'post',
      path: '/v1/encoder/train',
      tag: 'encoder',
      summary: 'Train a community encoder on uploaded files (POST /v1/uploads) or files in the data directory, as a durable job',
      description:
        'Progress: GET /v1/jobs/{id}/events; one unit per checkpointed epoch. The model lands in /v1/encoder/models/{job id}/. ' +
        'A server stop resumes the job from its last checkpoint on the next start. Send an Idempotency-Key so a retried POST does not train twice.',
      body: TrainBody,
      responses: { 202: { description: 'the queued job', schema: Job } },
    },
    (c, { body }) => {
      const refs = Array.isArray(body.interactions) ? body.interactions : [body.interactions];
      const params = EncoderTrainParams.parse({
        interactions: refs.map((r, i) => resolveRef(r, Array.isArray(body.interactions) ? `interactions.${i}` : 'interactions')),
        ...(body.communities ? { communities: resolveRef(body.communities, 'communities') } : {}),
        config: body.config ?? {},
        holdoutShare: body.holdoutShare,
        minCommunityUsers: body.minCommunityUsers,
        minCommunityActivity: body.minCommunityActivity,
        skipEvaluation: body.skipEvaluation,
      });
      const job = s.pool.enqueue('encoder-train', params);
      return c.json(job, 202, { Location: `/v1/jobs/${job.id}` });
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/encoder/models',
      tag: 'encoder',
      summary: 'Models trained by this server (newest first) and the encoder serving /v1/personas/infer',
      responses: {
        200: {
          description: 'models',
          schema: z.object({ active: z.object({ loaded: z.boolean(), dir: z.string() }).passthrough(), models: z.array(ModelInfo) }),
        },
      },
    },
    (c) => {
      const ids = existsSync(modelsDir) ? readdirSync(modelsDir).filter((id) => ModelParams.shape.id.safeParse(id).success) : [];
      const models = ids.flatMap((id) => describe(id) ?? []).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return c.json({ active: s.encoder.info(), models });
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/encoder/models/:id',
      tag: 'encoder',
      summary: 'One trained model: vocabulary size, training record, evaluation, downloadable files',
      params: ModelParams,
      responses: { 200: { description: 'the model', schema: ModelInfo } },
    },
    (c, { params }) => {
      const model = describe(params.id);
      if (!model) throw new ApiError(404, 'not_found', `no trained model ${params.id} (yet): its training job may still be running`, 'id');
      return c.json(model);
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/encoder/models/:id/:file',
      tag: 'encoder',
      summary: 'Download one file of a trained model (encoder.onnx, vocabulary.json, community-embeddings.bin, ...) for the extension',
      params: FileParams,
      responses: { 200: { description: 'the file', contentType: 'application/octet-stream' } },
    },
    (c, { params }) => {
      const file = path.join(modelDirOf(s.dataDir, params.id), params.file);
      if (!existsSync(file)) throw new ApiError(404, 'not_found', `model ${params.id} has no ${params.file}`, 'file');
      const type = file.endsWith('.json') ? 'application/json' : file.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'application/octet-stream';
      return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
        headers: {
          'content-type': type,
          'content-length': String(statSync(file).size),
          'content-disposition': `attachment; filename="${params.file}"`,
        },
      });
    },
  );
}

