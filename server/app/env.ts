import type { Logger } from '../runtime/logger.ts';

/** Values middleware hands to routes (Hono's typed context variables). */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** A short hash of the caller's token: the key for rate limits and idempotency, safe to log. */
    tokenId: string;
    log: Logger;
    /** Aborted when the request times out or the client goes away: pass it to LLM calls. */
    signal: AbortSignal;
  };
}
