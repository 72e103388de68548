import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UploadId, type UploadInfo } from '../../shared/api/uploads.ts';
import { ApiError } from '../http/errors.ts';


const dirOf = (dataDir: string) => path.join(dataDir, 'uploads');

/**
 * Streams a request body to `<data>/uploads/<id>/<name>` chunk by chunk (never whole in memory), hashing
 * as it goes, and stops with 413 — deleting the partial file — once it passes `maxBytes`. The client's file
 * name (already checked to be a plain name) is kept because readers tell formats by extension.
 */
export async function saveUpload(
  dataDir: string,
  name: string,
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  /** Cut the upload off (408) when no byte arrives for this long: a stalled client must not hold a socket and a file open forever. */
  idleMs = 30_000,
): Promise<UploadInfo> {
  if (!body) throw new ApiError(400, 'invalid_request', 'the upload is empty: send the file as the request body');
  const id = `upl_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const dir = path.join(dirOf(dataDir), id);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const hash = createHash('sha256');
  let bytes = 0;
  let idle: NodeJS.Timeout | undefined;
  const stillSending = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () => meter.destroy(new ApiError(408, 'timeout', `the upload sent nothing for ${idleMs / 1000} s (--upload-idle-timeout); send it again`)),
      idleMs,
    );
  };
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      stillSending();
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new ApiError(413, 'payload_too_large', `the upload is over ${maxBytes} bytes (--max-upload)`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    stillSending();
    await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), meter, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'invalid_request', `the upload did not complete (${(err as Error).message}); send it again`);
  } finally {
    clearTimeout(idle);
  }
  if (bytes === 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new ApiError(400, 'invalid_request', 'the upload is empty: send the file as the request body');
  }
  const info: UploadInfo = { id, name, bytes, sha256: hash.digest('hex'), createdAt: new Date().toISOString() };
  writeFileSync(path.join(dirOf(dataDir), `${id}.json`), JSON.stringify(info));
  return info;
}

/** The stored file of an upload, or 400 naming the field when there is none. */
export function uploadPath(dataDir: string, id: string, field: string): string {
  const parsed = UploadId.safeParse(id);
  if (!parsed.success) throw new ApiError(400, 'invalid_request', `${field}: ${parsed.error.issues[0]!.message}`, field);
  const info = uploadInfo(dataDir, parsed.data);
  const file = info && path.join(dirOf(dataDir), info.id, info.name);
  if (!file || !existsSync(file)) throw new ApiError(400, 'invalid_request', `${field}: no upload ${id}; upload the file first with POST /v1/uploads`, field);
  return file;
}

export function uploadInfo(dataDir: string, id: string): UploadInfo | undefined {
  const file = path.join(dirOf(dataDir), `${id}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as UploadInfo) : undefined;
}
