/**
 * Micro-batching: calls made while a batch is running wait and go together in the next one, so under
 * load many requests share one model call (onnxruntime runs a batch of users far faster per user than one
 * at a time) while a lone request goes at once, with no added delay. When a batch fails, its items are
 * retried one by one so a bad input fails only its own request.
 */
export function createBatcher<I, O>(run: (inputs: I[]) => Promise<O[]>, maxBatch: number): (input: I) => Promise<O> {
  let queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let running = false;

  const drain = async () => {
    running = true;
    while (queue.length) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const out = await run(batch.map((b) => b.input));
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        else {
          for (const b of batch) {
            try {
              b.resolve((await run([b.input]))[0]!);
            } catch (one) {
              b.reject(one);
            }
          }
        }
      }
    }
    running = false;
  };

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!running) void drain();
    });
}
