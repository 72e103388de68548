import { NoKnownCommunityError } from '../../shared/encoder/inputs.ts';
import { ModelMismatchError } from '../../shared/encoder/encoder.ts';
import { UsageError } from '../cli/errors.ts';
import { IngestError } from './ingest/index.ts';
import { ModelDirError } from './load.ts';

/**
 * Runs an encoder command body, turning input problems — bad or missing files, malformed records past the
 * error rate, an empty graph, an unknown or mismatched model folder, a list with no known community — into
 * exit code 2 with their one-line message. Anything else stays a failure of the work itself (exit 1).
 */
export async function encoderUsage<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (
      err instanceof IngestError ||
      err instanceof ModelDirError ||
      err instanceof ModelMismatchError ||
      err instanceof NoKnownCommunityError ||
      err instanceof InputFileError
    ) {
      throw new UsageError(err.message);
    }
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new UsageError(`${(err as NodeJS.ErrnoException).path ?? 'file'}: ${code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a folder, expected a file' : 'permission denied'}`);
    }
    throw err;
  }
}

/** A user-supplied file that cannot be used as given (the message says why and how to fix it). */
export class InputFileError extends Error {
  override name = 'InputFileError';
}
