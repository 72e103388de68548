import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';
import type { ApiDocs } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import type { AppServices } from '../services.ts';
import { saveUpload, UploadInfo } from '../uploads.ts';

export const UPLOAD_PATH = '/v1/uploads';

const UploadQuery = z.strictObject({
  name: z
    .string()
    .regex(/^[\w.-]{1,120}$/, 'a plain file name (letters, digits, _ . -), e.g. interactions.csv')
    .refine((n) => !/^\.+$/.test(n), 'a plain file name, not "." or ".."'),
});

export function uploadRoutes(app: Hono<AppEnv>, docs: ApiDocs, s: AppServices): void {
  defineRoute(
    app,
    docs,
    {
      method: 'post',
      path: UPLOAD_PATH,
      tag: 'uploads',
      summary: 'Upload a file (e.g. interactions.csv) as the raw request body; it streams to disk. Use the returned id in /v1/encoder/train',
      query: UploadQuery,
      rawBody: { contentType: 'application/octet-stream', description: 'the file bytes (any content type); at most --max-upload bytes' },
      responses: { 201: { description: 'stored', schema: UploadInfo }, 413: { description: 'over --max-upload' } },
    },
    async (c, { query }) => {
      const declared = Number(c.req.header('content-length') ?? NaN);
      if (declared > s.config.maxUploadBytes) {
        throw new ApiError(413, 'payload_too_large', `the upload is ${declared} bytes, over ${s.config.maxUploadBytes} (--max-upload)`);
      }
      const info = await saveUpload(s.dataDir, query.name, c.req.raw.body, s.config.maxUploadBytes, s.config.uploadIdleTimeoutMs);
      c.get('log').info('upload stored', { upload: info.id, bytes: info.bytes });
      return c.json(info, 201);
    },
  );
}
