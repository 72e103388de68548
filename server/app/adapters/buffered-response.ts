type Bytes = Uint8Array<ArrayBuffer>;

/**
 * A `Response` whose body is already in memory (a small JSON answer from the LLM server). A standard
 * Response built from bytes wraps them in a web ReadableStream and reads them back through it on
 * `json()`/`text()`, and Node makes every web stream transferable: together that was the largest cost of a
 * buffered LLM answer. Here the body methods decode the bytes directly, and a stream is made only when a
 * caller asks for `body`. Status, headers and the read-once rule are the standard class's.
 */
export class BufferedResponse extends Response {
  readonly #bytes: Buffer;
  readonly #url: string;
  #used = false;
  #stream: ReadableStream<Bytes> | undefined;

  constructor(bytes: Buffer, init: ResponseInit, url: string) {
    super(null, init);
    this.#bytes = bytes;
    this.#url = url;
  }

  override get url(): string {
    return this.#url;
  }

  override get body(): ReadableStream<Bytes> | null {
    if (this.#bytes.byteLength === 0) return null;
    if (!this.#stream) {
      const bytes: Bytes = this.#used ? new Uint8Array(0) : new Uint8Array(this.#bytes);
      const markUsed = () => (this.#used = true);
      // highWaterMark 0: nothing is pulled until a reader reads, and the first read marks the body used.
      this.#stream = new ReadableStream<Bytes>(
        {
          pull(controller) {
            markUsed();
            if (bytes.byteLength) controller.enqueue(bytes);
            controller.close();
          },
        },
        { highWaterMark: 0 },
      );
    }
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#used;
  }

  /**
   * The bytes, once: a second read fails as a standard Response's does. Once `body` was handed out the
   * stream is the body (locked while someone holds a reader, as a standard Response's is).
   */
  async #take(): Promise<Buffer> {
    if (this.#used || this.#stream?.locked) throw new TypeError('Response body is unusable: it was already read or is being read');
    if (this.#stream) return Buffer.from(await new Response(this.#stream).arrayBuffer());
    this.#used = true;
    return this.#bytes;
  }

  override text(): Promise<string> {
    return this.#take().then((b) => b.toString('utf8'));
  }

  override json(): Promise<any> {
    return this.text().then((t) => JSON.parse(t) as unknown);
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes().then((b) => b.buffer);
  }

  override bytes(): Promise<Bytes> {
    return this.#take().then((b) => new Uint8Array(b));
  }

  override blob(): Promise<Blob> {
    const type = this.headers.get('content-type') ?? '';
    return this.bytes().then((b) => new Blob([b], { type }));
  }

  override formData(): Promise<FormData> {
    return this.bytes().then((b) => new Response(b, { headers: this.headers }).formData());
  }

  override clone(): BufferedResponse {
    if (this.#used || this.#stream?.locked) throw new TypeError('Response.clone: the body was already read or is being read');
    return new BufferedResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: this.headers }, this.#url);
  }
}
