import { InputError } from '../../shared/errors.ts';

/**
 * NumPy `.npy` (format versions 1–3) for 2-D float arrays, the way `np.save(path, embeddings)` writes
 * CLIP features: magic, version, a little-endian header length, a Python-dict header, raw data.
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyArray {
  shape: [number, number];
  data: Float32Array;
}

export function parseNpy(bytes: Uint8Array, label = 'npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new InputError(`${label} is not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (![1, 2, 3].includes(major)) throw new InputError(`${label}: unsupported .npy format version ${major}`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] === 'True';
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new InputError(`${label}: malformed .npy header`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.length !== 2) throw new InputError(`${label}: expected a 2-D array (embeddings × dimension), got shape (${shape.join(', ')})`);
  const [rows, cols] = shape as [number, number];
  const little = descr.startsWith('<') || descr.startsWith('|') || descr.startsWith('=');
  const kind = descr.replace(/^[<>|=]/, '');
  if (kind !== 'f4' && kind !== 'f8') throw new InputError(`${label}: dtype ${descr} is not supported; save float32 embeddings (arr.astype(np.float32))`);
  const width = kind === 'f4' ? 4 : 8;
  const offset = headerStart + headerLen;
  if (bytes.length - offset < rows * cols * width) {
    throw new InputError(`${label}: truncated, header says ${rows} × ${cols} ${descr} but the file holds ${bytes.length - offset} data bytes`);
  }
  if (width === 4 && little && !fortran) {
    // What np.save writes for float32 embeddings: the bytes are the array (copied to align them).
    // (Buffer.slice would share the pooled buffer, so copy into a fresh one.)
    const copy = new Uint8Array(rows * cols * 4);
    copy.set(bytes.subarray(offset, offset + copy.length));
    return { shape: [rows, cols], data: new Float32Array(copy.buffer) };
  }
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // C order stores row i contiguously; Fortran order stores column j contiguously.
      const at = offset + width * (fortran ? j * rows + i : i * cols + j);
      data[i * cols + j] = width === 4 ? view.getFloat32(at, little) : view.getFloat64(at, little);
    }
  }
  return { shape: [rows, cols], data };
}

/** A version-1 `.npy` of a 2-D little-endian float32 array in C order. */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // The header (with the 10-byte preamble) is padded with spaces to a multiple of 64 and ends in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const body = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i]!, true);
  return out;
}
