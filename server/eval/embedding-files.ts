import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { EmbeddingError, embeddingMatrix, fromRows, type EmbeddingMatrix } from '../../shared/metrics/embeddings.ts';
import { InputError } from '../../shared/errors.ts';
import { parseNpy } from './npy.ts';

const JsonRows = z.array(z.array(z.number()));

/**
 * Reads embeddings from a `.npy` file (2-D float32, as `np.save` writes) or a JSON file holding an
 * array of equal-length number arrays. The format is chosen by the file's first bytes, not its name.
 */
export async function readEmbeddings(path: string, label = path): Promise<EmbeddingMatrix> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new InputError(`cannot read ${label}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    if (bytes[0] === 0x93) {
      const { shape, data } = parseNpy(bytes, label);
      return embeddingMatrix(data, shape[0], shape[1], label);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new InputError(`${label} is neither a .npy file nor valid JSON; expected [[number, ...], ...]`);
    }
    const parsed = JsonRows.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues[0]!.path.join('][');
      throw new InputError(`${label}: expected a JSON array of number arrays${where ? ` (problem at [${where}])` : ''}`);
    }
    return fromRows(parsed.data, label);
  } catch (err) {
    if (err instanceof EmbeddingError) throw new InputError(err.message);
    throw err;
  }
}
