/**
 * Reads `metadata_props` (key → value) from a serialized ONNX ModelProto without a protobuf library:
 * only the top-level fields are walked and every other field is skipped by its length, so even a
 * multi-megabyte model is scanned in microseconds. onnxruntime's JavaScript API does not expose custom
 * metadata, and this check must run in the browser too.
 */
const MODEL_METADATA_PROPS = 14;

function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated ONNX file (varint past the end)');
    const b = bytes[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

function skip(bytes: Uint8Array, pos: number, wireType: number): number {
  switch (wireType) {
    case 0:
      return readVarint(bytes, pos)[1];
    case 1:
      return pos + 8;
    case 2: {
      const [len, p] = readVarint(bytes, pos);
      return p + len;
    }
    case 5:
      return pos + 4;
    default:
      throw new Error(`not an ONNX model (protobuf wire type ${wireType})`);
  }
}

function readStringEntry(bytes: Uint8Array, start: number, end: number): [string, string] {
  const decoder = new TextDecoder();
  let key = '';
  let value = '';
  let pos = start;
  while (pos < end) {
    const [tag, p] = readVarint(bytes, pos);
    const field = Math.floor(tag / 8);
    if (tag % 8 === 2 && (field === 1 || field === 2)) {
      const [len, q] = readVarint(bytes, p);
      const text = decoder.decode(bytes.subarray(q, q + len));
      if (field === 1) key = text;
      else value = text;
      pos = q + len;
    } else pos = skip(bytes, p, tag % 8);
  }
  return [key, value];
}

export function readOnnxMetadata(bytes: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, p] = readVarint(bytes, pos);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === MODEL_METADATA_PROPS && wireType === 2) {
      const [len, q] = readVarint(bytes, p);
      const [k, v] = readStringEntry(bytes, q, q + len);
      out.set(k, v);
      pos = q + len;
    } else pos = skip(bytes, p, wireType);
    if (pos > bytes.length) throw new Error('truncated ONNX file');
  }
  return out;
}
