import type { Logger } from '../logger.ts';
import type { EncoderInfo, EncoderService } from '../services.ts';
import { ApiError } from '../errors.ts';

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

/**
 * Loads the community encoder for /v1/personas/infer. A missing or broken model does not stop the server:
 * inference then answers 503 and /v1/health reports the encoder as not loaded.
 */
export async function loadEncoderService(dir: string, log: Logger): Promise<EncoderService> {
  const reason = 'the encoder library is not part of this build yet';
  log.warn('community encoder not loaded', { dir, reason });
  return unavailableEncoder(dir, reason);
}
