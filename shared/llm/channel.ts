/**
 * A push-to-pull bridge: a producer pushes items and finally ends (or fails) it; any number of consumers
 * iterate it from the start with `for await`. Items are kept, so iterating late (or twice) loses nothing —
 * cheap for LLM answers, which are short.
 */
export interface Channel<T> extends AsyncIterable<T> {
  push(item: T): void;
  end(): void;
  fail(error: unknown): void;
}

export function createChannel<T>(): Channel<T> {
  const items: T[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };
  return {
    push(item) {
      if (finished) return;
      items.push(item);
      wake();
    },
    end() {
      finished = true;
      wake();
    },
    fail(error) {
      if (finished) return;
      failure = { error };
      finished = true;
      wake();
    },
    async *[Symbol.asyncIterator]() {
      for (let i = 0; ; ) {
        if (i < items.length) {
          yield items[i++]!;
          continue;
        }
        if (finished) {
          if (failure) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}
