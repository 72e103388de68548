import { UploadInfo, UploadQuery } from '../../../shared/api/uploads.ts';
import { ApiError } from '../../http/errors.ts';
import { apiRoute, jsonResponse, type ApiApp } from '../api-route.ts';
import type { AppServices } from '../services.ts';
import { saveUpload } from '../uploads.ts';

export const UPLOAD_PATH = '/v1/uploads';

export function uploadRoutes(app: ApiApp, s: AppServices): void {
  app.openapi(
    apiRoute({
      method: 'post',
      path: UPLOAD_PATH,
      tags: ['uploads'],
      summary: 'Upload a file (e.g. interactions.csv) as the raw request body; it streams to disk. Use the returned id in /v1/encoder/train',
      request: {
        query: UploadQuery,
        body: {
          required: true,
          description: 'the file bytes (any content type); at most --max-upload bytes',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
      },
      responses: { 201: jsonResponse('stored', UploadInfo), 413: { description: 'over --max-upload' } },
    }),
    async (c) => {
      const { name } = c.req.valid('query');
      const declared = Number(c.req.header('content-length') ?? NaN);
      if (declared > s.config.maxUploadBytes) {
        throw new ApiError(413, 'payload_too_large', `the upload is ${declared} bytes, over ${s.config.maxUploadBytes} (--max-upload)`);
      }
      const info = await saveUpload(s.dataDir, name, c.req.raw.body, s.config.maxUploadBytes, s.config.uploadIdleTimeoutMs);
      c.get('log').info('upload stored', { upload: info.id, bytes: info.bytes });
      return c.json(info, 201);
    },
  );
}
