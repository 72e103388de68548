import { describe, expect, it } from 'vitest';
import { ImageMetadataError, withoutMetadata } from '../../server/study/image-metadata.ts';
import { RawImage } from '@huggingface/transformers';
import { keyedPng } from '../helpers/png.ts';

/**
 * Study images lose what their engine wrote about them (ComfyUI's workflow, A1111's parameters: the
 * rendered prompt) and keep every pixel: checked by decoding before and after with the same decoder the
 * CLIP path uses.
 */
const SECRET = 'a rewritten prompt that names the persona arm';
const decode = async (bytes: Uint8Array, mime: string) => {
  const img = await RawImage.fromBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  return { width: img.width, height: img.height, data: Buffer.from(img.data) };
};

/** A JPEG segment: FF marker, big-endian length (including itself), payload. */
const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);

describe('withoutMetadata', () => {
  it('PNG: drops tEXt (ComfyUI prompt/workflow, A1111 parameters), keeps the image chunks and pixels', async () => {
    const png = keyedPng('x', 8, 8, { prompt: SECRET, parameters: SECRET });
    expect(Buffer.from(png).includes(SECRET)).toBe(true);
    const clean = withoutMetadata(png, 'image/png');
    expect(Buffer.from(clean).includes(SECRET)).toBe(false);
    expect(Buffer.from(clean).includes('tEXt')).toBe(false);
    expect(await decode(clean, 'image/png')).toEqual(await decode(png, 'image/png'));
    expect(Buffer.from(withoutMetadata(keyedPng('x', 8, 8), 'image/png'))).toEqual(Buffer.from(keyedPng('x', 8, 8)));
  });

  it('JPEG: drops EXIF/XMP (APP1) and comments, keeps JFIF, the frame and the scan', () => {
    const jfif = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
    const exif = segment(0xe1, Buffer.from(`Exif\0\0${SECRET}`, 'latin1'));
    const comment = segment(0xfe, Buffer.from(SECRET, 'latin1'));
    const frame = segment(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
    const scan = Buffer.concat([segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])), Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]), Buffer.from([0xff, 0xd9])]);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8]), jfif, exif, comment, frame, scan]);
    const clean = Buffer.from(withoutMetadata(jpeg, 'image/jpeg'));
    expect(clean).toEqual(Buffer.concat([Buffer.from([0xff, 0xd8]), jfif, frame, scan]));
  });

  it('WebP: drops EXIF and XMP chunks, clears their VP8X flags and fixes the RIFF size', () => {
    const chunk = (fourcc: string, data: Buffer) => {
      const head = Buffer.alloc(8);
      head.write(fourcc, 0, 'latin1');
      head.writeUInt32LE(data.length, 4);
      return Buffer.concat([head, data, data.length % 2 ? Buffer.from([0]) : Buffer.alloc(0)]);
    };
    const riff = (body: Buffer) => {
      const head = Buffer.alloc(12);
      head.write('RIFF', 0, 'latin1');
      head.writeUInt32LE(4 + body.length, 4);
      head.write('WEBP', 8, 'latin1');
      return Buffer.concat([head, body]);
    };
    const vp8x = (flags: number) => chunk('VP8X', Buffer.from([flags, 0, 0, 0, 7, 0, 0, 7, 0, 0]));
    const image = chunk('VP8L', Buffer.from([0x2f, 1, 2, 3, 4]));
    const webp = riff(Buffer.concat([vp8x(0x0c), image, chunk('EXIF', Buffer.from(SECRET)), chunk('XMP ', Buffer.from(SECRET))]));
    expect(Buffer.from(withoutMetadata(webp, 'image/webp'))).toEqual(riff(Buffer.concat([vp8x(0), image])));
  });

  it('refuses what it cannot parse rather than serving it as it is', () => {
    const png = keyedPng('x', 8, 8, { prompt: SECRET });
    expect(() => withoutMetadata(png.subarray(0, png.length - 12), 'image/png')).toThrow(ImageMetadataError);
    expect(() => withoutMetadata(Buffer.from('GIF89a'), 'image/gif')).toThrow(/cannot clean an image of type image\/gif/);
    expect(() => withoutMetadata(Buffer.from([0xff, 0xd8, 0x00]), 'image/jpeg')).toThrow(ImageMetadataError);
  });
});
