import { EmbeddingError } from '../../shared/metrics/embeddings.ts';
import { IpfError } from '../../shared/metrics/ipf.ts';
import { UsageError } from '../cli/errors.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * Runs a command body, turning input problems (bad files, inconsistent data) into exit code 2 with
 * their one-line message; anything else stays a failure of the work itself (exit 1).
 */
export async function asUsage<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof InputError || err instanceof EmbeddingError || err instanceof IpfError || err instanceof RangeError) {
      throw new UsageError(err.message);
    }
    throw err;
  }
}
