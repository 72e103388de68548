import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { AppEnv } from '../env.ts';
import type { AppServices } from '../services.ts';

/**
 * A server-sent-event stream that stays open until `run` resolves, the client leaves, or the server shuts
 * down; a comment line every 15 s keeps proxies from closing an idle stream. Each stream holds a slot of
 * the server's stream limits (429 when none is left) until it ends.
 */
export function sseStream(
  c: Context<AppEnv>,
  s: Pick<AppServices, 'shutdown' | 'streams'>,
  run: (stream: SSEStreamingApi, closed: Promise<void>) => Promise<void>,
): Response {
  const release = s.streams.acquire(c.get('tokenId') ?? 'public');
  const { shutdown } = s;
  return streamSSE(c, async (stream) => {
    let end!: () => void;
    const closed = new Promise<void>((resolve) => (end = resolve));
    stream.onAbort(() => end());
    const onShutdown = () => end();
    shutdown.addEventListener('abort', onShutdown, { once: true });
    const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => end()), 15_000);
    try {
      await Promise.race([run(stream, closed), closed]);
    } finally {
      clearInterval(keepAlive);
      shutdown.removeEventListener('abort', onShutdown);
      release();
    }
  });
}
