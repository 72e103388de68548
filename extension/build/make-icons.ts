import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';

/**
 * Draws the toolbar icon (a white "Z" on a violet rounded square) at each size WXT looks for in
 * public/icon/, 4×4 supersampled. Run once with `npx tsx extension/build/make-icons.ts`; the PNGs are committed.
 */
const OUT = resolve(import.meta.dirname, '../public/icon');
const VIOLET = [91, 63, 209];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** Coverage of the shape at a point in unit coordinates: 0 outside, 1 = background, 2 = the Z. */
function shape(x: number, y: number): 0 | 1 | 2 {
  const r = 0.2;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return 0;
  const inX = x > 0.26 && x < 0.74;
  if (inX && ((y > 0.22 && y < 0.35) || (y > 0.65 && y < 0.78))) return 2;
  // The diagonal from the top bar's right end to the bottom bar's left end.
  const [ax, ay, bx, by] = [0.72, 0.3, 0.28, 0.7];
  const t = Math.min(1, Math.max(0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  const d = Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
  return d < 0.075 ? 2 : 1;
}

mkdirSync(OUT, { recursive: true });
for (const size of [16, 32, 48, 128]) {
  const rgba = new Uint8Array(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const s = shape((px + (sx + 0.5) / S) / size, (py + (sy + 0.5) / S) / size);
          if (s === 1) bg++;
          if (s === 2) fg++;
        }
      }
      const cover = (bg + fg) / (S * S);
      const white = fg / Math.max(1, bg + fg);
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(VIOLET[c]! * (1 - white) + 255 * white);
      rgba[o + 3] = Math.round(255 * cover);
    }
  }
  writeFileSync(join(OUT, `${size}.png`), png(size, rgba));
}
console.log(`icons written to ${OUT}`);
