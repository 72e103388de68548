import type { InferResponse } from '../../shared/api/personas.ts';
import type { EncoderInfo, LlmInfo } from '../../shared/api/server-info.ts';
import type { CommunityList } from '../../shared/schemas/community.ts';
import type { ChatClient } from '../../shared/llm/types.ts';
import type { Db } from '../db/database.ts';
import type { JobPool } from '../jobs/pool.ts';
import type { ServerConfig } from './config.ts';
import type { StreamLimiter } from './streams.ts';
import type { Logger } from '../runtime/logger.ts';

export interface LlmService {
  info(): LlmInfo;
  /** The shared client; throws ApiError 503 llm_not_configured when there is none. */
  client(): ChatClient;
  /** Text embeddings on the same endpoint (ZIPP_LLM_EMBED_MODEL), for retrieval by embedding similarity. */
  embed(): ((texts: string[]) => Promise<number[][]>) | undefined;
}

export interface EncoderService {
  info(): EncoderInfo;
  /** Throws ApiError 503 not_available when no encoder is loaded, 400 when no community is usable. */
  encode(communities: CommunityList, options?: { suggest?: number }): Promise<InferResponse>;
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
