import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

/**
 * Real PNG bytes for tests: an RGB image encoded by hand (signature, IHDR, one zlib IDAT, IEND), so
 * test engine servers return what a diffusion engine returns and decoders (sharp) read it for real.
 */
export function encodePng(width: number, height: number, rgb: Uint8Array, text: Record<string, string> = {}): Uint8Array {
  if (rgb.length !== width * height * 3) throw new Error(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  // Each scanline starts with its filter type (0 = none).
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  // tEXt chunks (keyword NUL text), before the image data as ComfyUI and A1111 write theirs.
  const texts = Object.entries(text).map(([k, v]) => chunk('tEXt', Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from([0]), Buffer.from(v, 'latin1')])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), ...texts, chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A solid colour image. */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set([r, g, b], i * 3);
  return encodePng(width, height, rgb);
}

/**
 * A deterministic picture derived from a key (e.g. prompt + seed): two colours from the key's hash in a
 * diagonal gradient, so different requests give visibly and byte-wise different images.
 */
export function keyedPng(key: string, width = 32, height = 32, text: Record<string, string> = {}): Uint8Array {
  const h = createHash('sha256').update(key).digest();
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x + y) / (width + height - 2 || 1);
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = Math.round(h[c]! * (1 - t) + h[c + 3]! * t);
    }
  }
  return encodePng(width, height, rgb, text);
}

/** True when the bytes start with the PNG signature. */
export const isPng = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
