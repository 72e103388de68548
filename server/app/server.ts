import { serve } from '@hono/node-server';
import { mkdirSync, realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ConfigError } from '../../shared/errors.ts';
import type { Env } from '../../shared/llm/settings.ts';
import { openDatabase } from '../db/database.ts';
import { JobPool } from '../jobs/pool.ts';
import { encoderTrainKind } from '../jobs/kinds/encoder-train.ts';
import { rewriteBatchKind } from '../jobs/kinds/rewrite-batch.ts';
import { benchJobKind } from '../bench/job.ts';
import { llmServiceFromEnv } from './adapters/llm.ts';
import { loadEncoderService } from './adapters/encoder.ts';
import { createApp } from './app.ts';
import { resolveInside } from '../runtime/inside-dir.ts';
import { ServerConfig, type ServerConfigInput } from './config.ts';
import { createLogger, type Logger } from '../runtime/logger.ts';
import type { AppServices } from './services.ts';
import { StreamLimiter } from './streams.ts';
import { resolveToken, type TokenSource } from './token.ts';
import { rewrite } from './adapters/rewrite.ts';
import { ZIPP_VERSION } from '../../shared/version.ts';

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  token: { source: TokenSource; file: string; value: string };
  services: AppServices;
  /** Graceful stop: refuse new connections, let in-flight requests finish, checkpoint running jobs. */
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Env;
  log?: Logger;
}


/** A socket that cannot be opened is the operator's setup to change (a ConfigError: exit 2 at the CLI), said in their words. */
function listenError(err: NodeJS.ErrnoException, config: { host: string; port: number }): Error {
  const where = { cause: err };
  if (err.code === 'EADDRINUSE') return new ConfigError(`port ${config.port} is in use: stop the other server or pick another with --port`, where);
  if (err.code === 'EACCES') return new ConfigError(`cannot listen on ${config.host}:${config.port} (permission denied): pick a port above 1023`, where);
  if (err.code === 'EADDRNOTAVAIL') return new ConfigError(`cannot listen on ${config.host}: no interface of this machine has that address; pick one it has with --host (e.g. 127.0.0.1)`, where);
  return err;
}

/** Opens the data directory, builds every service and listens. The caller handles signals (see `zipp serve`). */
export async function startServer(input: ServerConfigInput, options: StartOptions = {}): Promise<RunningServer> {
  const config = ServerConfig.parse(input);
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const dataDir = realpathSync(config.dataDir);
  const token = resolveToken(dataDir, config.token, env.ZIPP_TOKEN);
  const db = openDatabase(path.join(dataDir, 'zipp.db'));
  const llm = llmServiceFromEnv(env);
  const encoder = await loadEncoderService(config.encoderDir, log);
  const pool = new JobPool({ db, dataDir, log, concurrency: config.concurrency, kinds: [rewriteBatchKind({ rewrite: (request, options) => rewrite(llm, request, options), ready: () => void llm.client() }), encoderTrainKind(dataDir), benchJobKind({ env, confine: (file, field) => resolveInside(dataDir, path.relative(realpathSync(dataDir), file), field), endpoints: config.endpoints, llm: () => llm.info() })] });
  const shutdown = new AbortController();

  const services: AppServices = {
    config,
    dataDir,
    db,
    pool,
    log,
    tokens: [token.token],
    version: ZIPP_VERSION,
    llm,
    encoder,
    dashboard: config.dashboard,
    shutdown: shutdown.signal,
    streams: new StreamLimiter(config.maxStreams, config.maxStreamsPerToken),
    startedAt: Date.now(),
  };
  const { app } = createApp(services);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  }).catch(async (err: NodeJS.ErrnoException) => {
    // Nothing listens: let go of what was opened for it (a caller in the same process may try again).
    shutdown.abort();
    await encoder.close?.();
    db.close();
    throw listenError(err, config);
  });
  // Node's own limits: a client must send its headers within 30 s; keep-alive sockets idle for 5 s close.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // bodies (uploads) may stream for long; JSON routes have their own deadline
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  pool.start();
  log.info('server listening', {
    url,
    dataDir,
    llm: llm.info().configured ? llm.info().model : 'not configured',
    encoder: encoder.info().loaded ? encoder.info().dir : `not loaded (${encoder.info().reason})`,
    dashboard: config.dashboard,
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: finishing requests, checkpointing jobs');
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets become idle as their last response goes out; close them as they do.
      const reaper = setInterval(() => server.closeIdleConnections(), 50);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.all([pool.stop(config.shutdownGraceMs), Promise.race([closed, grace])]);
      clearInterval(reaper);
      server.closeAllConnections();
      await encoder.close?.();
      db.close();
      log.info('server stopped');
    })());

  return { url, port, dataDir, token: { source: token.source, file: token.file, value: token.token }, services, close };
}
