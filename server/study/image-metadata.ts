/**
 * Study images without their engine's metadata. ComfyUI's SaveImage writes the whole workflow — the
 * rendered, persona-rewritten prompt included — into the PNG's `prompt` and `workflow` text chunks, and
 * A1111 its `parameters` (prompt, seed, sampler); a participant who opens an image's properties (or any
 * PNG reader) would read which side was rewritten for them and how, and the blinding would be gone.
 * So a trial image is served with only the chunks that decide how it looks: PNG's critical chunks and
 * colour/transparency ones, JPEG's frame data with JFIF, ICC and Adobe segments, WebP's image chunks.
 * Anything that cannot be parsed is refused rather than served as it is.
 */

export class ImageMetadataError extends Error {}

export function withoutMetadata(bytes: Uint8Array, mime: string): Uint8Array {
  switch (mime) {
    case 'image/png':
      return png(bytes);
    case 'image/jpeg':
      return jpeg(bytes);
    case 'image/webp':
      return webp(bytes);
    default:
      throw new ImageMetadataError(`cannot clean an image of type ${mime}`);
  }
}

/** Chunks a PNG needs to look the same: critical ones, palette transparency, colour space, pixel size, animation. */
const PNG_KEEP = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'cHRM', 'gAMA', 'iCCP', 'sBIT', 'sRGB', 'pHYs', 'acTL', 'fcTL', 'fdAT']);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function png(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new ImageMetadataError('not a PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  let ended = false;
  while (at < bytes.length && !ended) {
    if (at + 12 > bytes.length) throw new ImageMetadataError('truncated PNG chunk');
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) throw new ImageMetadataError('truncated PNG chunk');
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (PNG_KEEP.has(type)) parts.push(bytes.subarray(at, end));
    ended = type === 'IEND';
    at = end;
  }
  if (!ended) throw new ImageMetadataError('PNG without IEND');
  return concat(parts);
}

function jpeg(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new ImageMetadataError('not a JPEG');
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let at = 2;
  for (;;) {
    while (bytes[at] === 0xff && bytes[at + 1] === 0xff) at++; // fill bytes
    if (bytes[at] !== 0xff || at + 4 > bytes.length) throw new ImageMetadataError('malformed JPEG segment');
    const marker = bytes[at + 1]!;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) throw new ImageMetadataError('truncated JPEG segment');
    const segment = bytes.subarray(at, end);
    // Start of scan: the entropy-coded data and everything after it is the picture itself.
    if (marker === 0xda) {
      parts.push(bytes.subarray(at));
      return concat(parts);
    }
    if (keepJpegSegment(marker, segment)) parts.push(segment);
    at = end;
  }
}

/** APP0 (JFIF), APP2 when it is an ICC profile, APP14 (Adobe colour transform) and every non-APP, non-comment segment. */
function keepJpegSegment(marker: number, segment: Uint8Array): boolean {
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true;
  if (marker === 0xe0 || marker === 0xee) return true;
  if (marker === 0xe2) return String.fromCharCode(...segment.subarray(4, 16)) === 'ICC_PROFILE\0';
  return false;
}

const WEBP_DROP = new Set(['EXIF', 'XMP ']);

function webp(bytes: Uint8Array): Uint8Array {
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WEBP') throw new ImageMetadataError('not a WebP');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let at = 12;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw new ImageMetadataError('truncated WebP chunk');
    const size = view.getUint32(at + 4, true);
    const end = at + 8 + size + (size % 2);
    if (end > bytes.length) throw new ImageMetadataError('truncated WebP chunk');
    const fourcc = tag(at);
    if (!WEBP_DROP.has(fourcc)) {
      const chunk = bytes.slice(at, end);
      // VP8X flags: clear "has EXIF" (0x08) and "has XMP" (0x04), which are gone now.
      if (fourcc === 'VP8X' && size >= 1) chunk[8] = chunk[8]! & ~0x0c;
      parts.push(chunk);
    }
    at = end;
  }
  const body = concat(parts);
  const out = new Uint8Array(12 + body.length);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(4, 4 + body.length, true);
  out.set(body, 12);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
