import type { CommunityList } from '../../shared/schemas/community.ts';
import type { ChatClient } from '../../shared/llm/types.ts';
import type { Db } from '../db/database.ts';
import type { JobPool } from '../jobs/pool.ts';
import type { ServerConfig } from './config.ts';
import type { StreamLimiter } from './streams.ts';
import type { Logger } from '../runtime/logger.ts';

/** What /v1/health and /v1/config say about the LLM: never the key. */
export interface LlmInfo {
  configured: boolean;
  baseUrl?: string;
  model?: string;
  /** Whether a key is sent with its requests (never the key). */
  key?: boolean;
  /** When not configured: how to connect one. */
  hint?: string;
}

export interface LlmService {
  info(): LlmInfo;
  /** The shared client; throws ApiError 503 llm_not_configured when there is none. */
  client(): ChatClient;
  /** Text embeddings on the same endpoint (ZIPP_LLM_EMBED_MODEL), for retrieval by embedding similarity. */
  embed(): ((texts: string[]) => Promise<number[][]>) | undefined;
}

export interface EncoderInfo {
  loaded: boolean;
  dir: string;
  /** Vocabulary size, embedding size, model id... whatever the encoder reports. */
  details?: Record<string, unknown>;
  /** Why it is not loaded. */
  reason?: string;
}

/** One community of an encoded user, most important first. */
export interface RankedCommunity {
  name: string;
  /** Display spelling from the vocabulary. */
  label: string;
  /** False when the model never saw the community (features from its name). */
  known: boolean;
  posts: number;
  comments: number;
  /** Mean attention over layers and heads; sums to 1 over the user's communities. */
  attention: number;
}

/** One user as /v1/personas/infer answers (the API's view of shared/encoder's EncodedUser: attention, labels, suggestions). */
export interface InferredUser {
  communities: RankedCommunity[];
  /** Communities the model left out (unknown with no embedder, or beyond its neighbourhood size). */
  ignored: string[];
  embedding: number[];
  /** Vocabulary communities closest to the user that they are not in yet. */
  suggestions?: { name: string; label: string; score: number }[];
}

export interface EncoderService {
  info(): EncoderInfo;
  /** Throws ApiError 503 not_available when no encoder is loaded, 400 when no community is usable. */
  encode(communities: CommunityList, options?: { suggest?: number }): Promise<InferredUser>;
  close?(): Promise<void>;
}

/** Everything the routes reach through: one object, built once by startServer (or a test). */
export interface AppServices {
  config: ServerConfig;
  /** Absolute, existing data directory. */
  dataDir: string;
  db: Db;
  pool: JobPool;
  log: Logger;
  tokens: string[];
  version: string;
  llm: LlmService;
  encoder: EncoderService;
  /** Serve the React dashboard at / (bundled on its first request). */
  dashboard: boolean;
  /** Aborted when the server starts shutting down: long-lived streams (SSE) end on it. */
  shutdown: AbortSignal;
  /** Open event streams, capped per token and in all. */
  streams: StreamLimiter;
  startedAt: number;
}
