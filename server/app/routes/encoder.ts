import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DOWNLOADABLE_MODEL_FILES, type FileRef, ModelFileParams, ModelInfo, ModelList, ModelParams, trainBody } from '../../../shared/api/encoder.ts';
import { Job } from '../../../shared/api/jobs.ts';
import { MODEL_FILES } from '../../../shared/encoder/manifest.ts';
import { EncoderTrainParams, modelDirOf, TrainSettings } from '../../jobs/kinds/encoder-train.ts';
import { resolveInside } from '../../runtime/inside-dir.ts';
import { ApiError } from '../../http/errors.ts';
import { apiRoute, jsonBody, jsonResponse, otherResponse, type ApiApp } from '../api-route.ts';
import type { AppServices } from '../services.ts';
import { uploadPath } from '../uploads.ts';

/** The body of POST /v1/encoder/train with the encoder's own hyperparameters as `config`. */
export const TrainBody = trainBody(TrainSettings);

export function encoderRoutes(app: ApiApp, s: AppServices): void {
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

  const describe = (id: string): ModelInfo | undefined => {
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
        .filter((f) => DOWNLOADABLE_MODEL_FILES.has(f))
        .sort()
        .map((f) => ({ name: f, bytes: statSync(path.join(dir, f)).size, url: `/v1/encoder/models/${id}/${f}` })),
      ...(manifest.training ? { training: manifest.training } : {}),
      ...(existsSync(evaluation) ? { evaluation: JSON.parse(readFileSync(evaluation, 'utf8')) } : {}),
    };
  };

  app.openapi(
    apiRoute({
      method: 'post',
      path: '/v1/encoder/train',
      tags: ['encoder'],
      summary: 'Train a community encoder on uploaded files (POST /v1/uploads) or files in the data directory, as a durable job',
      description:
        'Progress: GET /v1/jobs/{id}/events; one unit per checkpointed epoch. The model lands in /v1/encoder/models/{job id}/. ' +
        'A server stop resumes the job from its last checkpoint on the next start. Send an Idempotency-Key so a retried POST does not train twice.',
      request: { body: jsonBody(TrainBody) },
      responses: { 202: jsonResponse('the queued job', Job) },
    }),
    (c) => {
      const body = c.req.valid('json');
      const refs = Array.isArray(body.interactions) ? body.interactions : [body.interactions];
      const params = EncoderTrainParams.parse({
        interactions: refs.map((r, i) => resolveRef(r, Array.isArray(body.interactions) ? `interactions.${i}` : 'interactions')),
        ...(body.communities ? { communities: resolveRef(body.communities, 'communities') } : {}),
        config: body.config ?? {},
        holdoutShare: body.holdoutShare,
        minCommunityUsers: body.minCommunityUsers,
        minCommunityActivity: body.minCommunityActivity,
        redditNames: body.redditNames,
        skipEvaluation: body.skipEvaluation,
      });
      const job = s.pool.enqueue('encoder-train', params);
      return c.json(job, 202, { Location: `/v1/jobs/${job.id}` });
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/encoder/models',
      tags: ['encoder'],
      summary: 'Models trained by this server (newest first) and the encoder serving /v1/personas/infer',
      responses: { 200: jsonResponse('models', ModelList) },
    }),
    (c) => {
      const ids = existsSync(modelsDir) ? readdirSync(modelsDir).filter((id) => ModelParams.shape.id.safeParse(id).success) : [];
      const models = ids.flatMap((id) => describe(id) ?? []).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return c.json({ active: s.encoder.info(), models }, 200);
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/encoder/models/{id}',
      tags: ['encoder'],
      summary: 'One trained model: vocabulary size, training record, evaluation, downloadable files',
      request: { params: ModelParams },
      responses: { 200: jsonResponse('the model', ModelInfo) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const model = describe(id);
      if (!model) throw new ApiError(404, 'not_found', `no trained model ${id} (yet): its training job may still be running`, 'id');
      return c.json(model, 200);
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/encoder/models/{id}/{file}',
      tags: ['encoder'],
      summary: 'Download one file of a trained model (encoder.onnx, vocabulary.json, community-embeddings.bin, ...) for the extension',
      request: { params: ModelFileParams },
      responses: { 200: otherResponse('the file', 'application/octet-stream') },
    }),
    (c) => {
      const params = c.req.valid('param');
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
