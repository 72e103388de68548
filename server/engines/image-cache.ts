import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineImage, ResolvedRequest } from './types.ts';

/**
 * Content-addressed store of generated images. The key is the SHA-256 of everything that decides the
 * pixels: engine kind, its identity (workflow, model files, API model...), the model preset, prompt, seed
 * and every sampling parameter. The same request never reaches an engine twice, across runs and URLs.
 *
 * Layout: <dir>/<key[0..2]>/<key>.<png|jpg|webp> plus <key>.json (what made it). The JSON is written last,
 * so a crash mid-write leaves no entry that looks complete.
 */
export interface CachedImage extends EngineImage {
  path: string;
}

export interface CacheEntryMeta {
  key: string;
  engine: string;
  url: string;
  request: ResolvedRequest;
  file: string;
  mime: string;
  createdAt: string;
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export class ImageCache {
  constructor(readonly dir: string) {}

  /** Deterministic: object keys are sorted at every depth before hashing. */
  static key(engine: string, identity: Record<string, unknown>, request: ResolvedRequest): string {
    return createHash('sha256').update(canonicalJson({ engine, identity, request })).digest('hex');
  }

  private base(key: string): string {
    return join(this.dir, key.slice(0, 2), key);
  }

  async get(key: string): Promise<CachedImage | undefined> {
    let meta: CacheEntryMeta;
    try {
      meta = JSON.parse(await readFile(`${this.base(key)}.json`, 'utf8')) as CacheEntryMeta;
    } catch {
      return undefined;
    }
    const path = join(this.dir, key.slice(0, 2), meta.file);
    try {
      return { bytes: new Uint8Array(await readFile(path)), mime: meta.mime, path };
    } catch {
      return undefined;
    }
  }

  async put(key: string, image: EngineImage, made: { engine: string; url: string; request: ResolvedRequest }): Promise<CachedImage> {
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const file = `${key}.${EXT[image.mime] ?? 'bin'}`;
    const path = join(this.dir, key.slice(0, 2), file);
    await atomicWrite(path, image.bytes);
    const meta: CacheEntryMeta = { key, ...made, file, mime: image.mime, createdAt: new Date().toISOString() };
    await atomicWrite(`${this.base(key)}.json`, `${JSON.stringify(meta, null, 2)}\n`);
    return { ...image, path };
  }
}

/** Write to a temporary name, then rename: readers see the old state or the whole new file. */
async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
