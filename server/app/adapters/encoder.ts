import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommunityEncoder } from '../../../shared/encoder/encoder.ts';
import { NoKnownCommunityError } from '../../../shared/encoder/inputs.ts';
import type { CommunityList } from '../../../shared/schemas/community.ts';
import { loadEncoder } from '../../encoder/load.ts';
import { ApiError } from '../../http/errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { InferResponse } from '../../../shared/api/personas.ts';
import type { EncoderInfo } from '../../../shared/api/server-info.ts';
import type { EncoderService } from '../services.ts';
import { createBatcher } from './batcher.ts';

/** An encoder service that explains why inference is unavailable (answers 503 not_available). */
export function unavailableEncoder(dir: string, reason: string): EncoderService {
  const info: EncoderInfo = { loaded: false, dir, reason };
  return {
    info: () => info,
    encode: async () => {
      throw new ApiError(503, 'not_available', `the community encoder is not loaded (${reason}); start the server with --encoder DIR pointing at a trained model`);
    },
  };
}

/** Users encoded in one onnxruntime call at most. */
const MAX_BATCH = 64;

/**
 * The community encoder (server/encoder's loadEncoder on onnxruntime-node) behind /v1/personas/infer and
 * persona importance. Concurrent requests are micro-batched into one model call.
 */
export function encoderService(dir: string, encoder: CommunityEncoder): EncoderService {
  const m = encoder.manifest;
  const info: EncoderInfo = {
    loaded: true,
    dir,
    details: {
      communities: m.communities.names.length,
      hidden: m.architecture.hidden,
      layers: m.architecture.layers,
      heads: m.architecture.heads,
      embedder: m.embedder.kind,
      vocabularyHash: m.vocabularyHash,
    },
  };
  const encodeOne = createBatcher((lists: CommunityList[]) => encoder.encode(lists), MAX_BATCH);
  return {
    info: () => info,
    async encode(communities, options = {}): Promise<InferResponse> {
      let user;
      try {
        user = await encodeOne(communities);
      } catch (err) {
        if (err instanceof NoKnownCommunityError) throw new ApiError(400, 'invalid_request', `communities: ${err.message}`, 'communities');
        throw err;
      }
      return {
        communities: user.communities.map((c) => ({
          name: c.name,
          label: c.label,
          known: c.known,
          posts: c.posts,
          comments: c.comments,
          attention: c.importance,
        })),
        ignored: user.ignored,
        embedding: Array.from(user.embedding),
        ...(options.suggest ? { suggestions: encoder.suggest(user, options.suggest) } : {}),
      };
    },
  };
}

/**
 * Loads the community encoder for /v1/personas/infer. A missing or broken model does not stop the server:
 * inference then answers 503 and /v1/health reports the encoder as not loaded, with the reason.
 */
export async function loadEncoderService(dir: string, log: Logger): Promise<EncoderService> {
  const resolved = path.resolve(dir);
  if (!existsSync(resolved)) {
    const reason = `no model at ${resolved}`;
    log.warn('community encoder not loaded', { dir: resolved, reason });
    return unavailableEncoder(resolved, reason);
  }
  try {
    // One intra-op thread: the HTTP server and the LLM calls share the cores, and batching does the rest.
    const encoder = await loadEncoder(resolved, { threads: 1 });
    log.info('community encoder loaded', { dir: resolved, communities: encoder.manifest.communities.names.length });
    return encoderService(resolved, encoder);
  } catch (err) {
    const reason = (err as Error).message;
    log.error('community encoder failed to load', { dir: resolved, reason });
    return unavailableEncoder(resolved, reason);
  }
}
