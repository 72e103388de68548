import { z } from 'zod';
import { CorsOrigin, HostName } from '../../app/config.ts';
import { endpointsFromServeOptions } from '../../bench/endpoints.ts';
import { DEFAULT_ENCODER_DIR } from '../../runtime/package-paths.ts';
import { startServer } from '../../app/server.ts';
import { defineCommand } from '../command.ts';

const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

/** "1m", "512k", "2g" or plain bytes. */
const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?[kmg]?b?$/i, 'expected a size such as 1048576, 512k, 1m or 2g')
  .transform((s) => {
    const m = /^(\d+(?:\.\d+)?)([kmg]?)/i.exec(s)!;
    return Math.round(Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()));
  })
  .pipe(z.number().int().positive());

const concurrency = z
  .array(z.string().regex(/^[a-z][a-z0-9-]*=\d+$/, 'expected KIND=N, e.g. rewrite-batch=4'))
  .transform((list) => Object.fromEntries(list.map((e) => [e.split('=')[0]!, Number(e.split('=')[1])])));

export default defineCommand({
  name: 'serve',
  summary: 'run the ZIPP server (API + dashboard); what `npm start` runs',
  options: {
    port: { type: 'string', short: 'p', placeholder: 'N', description: 'port to listen on (default 8787; 0 picks a free one)' },
    host: { type: 'string', placeholder: 'HOST', description: 'interface to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)' },
    data: { type: 'string', placeholder: 'DIR', description: 'data directory: SQLite state, token, uploads, job files (default ./.zipp)' },
    token: { type: 'string', placeholder: 'T', description: 'bearer token to require (default: ZIPP_TOKEN, else <data>/token, generated on first start)' },
    'allowed-host': { type: 'string', multiple: true, placeholder: 'NAME', description: "a host name the server answers to besides loopback names, its interfaces' addresses and the machine's name (others get 403; stops DNS rebinding), e.g. gpu-box.lab.example (repeatable)" },
    cors: { type: 'string', multiple: true, placeholder: 'ORIGIN', description: 'allow browser calls from this origin, e.g. chrome-extension://<id> (repeatable)' },
    llm: { type: 'string', multiple: true, placeholder: 'NAME=URL', description: 'a named OpenAI-compatible LLM endpoint that POST /v1/bench may pick (repeatable; no key: keys need --endpoints)' },
    engine: { type: 'string', multiple: true, placeholder: '[NAME:]KIND=URL', description: 'a named image engine (comfyui, a1111, openai; NAME defaults to KIND; a repeated NAME adds URLs) (repeatable; also ZIPP_IMAGE_ENGINES)' },
    endpoints: { type: 'string', placeholder: 'FILE', description: 'JSON file of named endpoints, with keys by environment variable: {"llms": {NAME: {baseUrl, apiKeyEnv?, model?, models?}}, "engines": {NAME: {kind, urls, apiKeyEnv?, ...}}} (also ZIPP_ENDPOINTS)' },
    encoder: { type: 'string', placeholder: 'DIR', description: 'community encoder model directory (default: the shipped models/zipp-encoder)' },
    'max-body': { type: 'string', placeholder: 'SIZE', description: 'largest JSON body, e.g. 1m (default 1m); bigger ones get 413' },
    'max-upload': { type: 'string', placeholder: 'SIZE', description: 'largest file upload, streamed to disk (default 2g)' },
    'rate-limit': { type: 'string', placeholder: 'N', description: 'requests per second per token, sustained (default 50; 0 = off)' },
    'rate-burst': { type: 'string', placeholder: 'N', description: 'requests a token may send at once before the rate applies (default 100)' },
    'study-joins-per-client': { type: 'string', placeholder: 'N', description: 'study participants one address may start per hour (default 20; each costs LLM calls)' },
    'study-joins-per-study': { type: 'string', placeholder: 'N', description: 'participants a study may gain per hour (default 500)' },
    'max-streams': { type: 'string', placeholder: 'N', description: 'event streams (SSE) open at once in all (default 256); more get 429' },
    'max-streams-per-token': { type: 'string', placeholder: 'N', description: 'event streams open at once per token (default 32); more get 429' },
    'upload-idle-timeout': { type: 'string', placeholder: 'MS', description: 'cut off an upload that sends nothing for this long, with 408 (default 30000)' },
    'request-timeout': { type: 'string', placeholder: 'MS', description: 'answer 504 to a non-streaming request after this long (default 120000)' },
    'shutdown-grace': { type: 'string', placeholder: 'MS', description: 'on SIGINT/SIGTERM, wait this long for requests and jobs (default 10000)' },
    concurrency: { type: 'string', multiple: true, placeholder: 'KIND=N', description: 'jobs of a kind that may run at once, e.g. rewrite-batch=4 (repeatable)' },
    'log-level': { type: 'string', placeholder: 'LEVEL', description: 'debug | info | warn | error | silent (default info); logs are JSON lines on stdout' },
    'no-access-log': { type: 'boolean', description: 'do not log one line per request' },
    'no-dashboard': { type: 'boolean', description: 'serve the API only (no dashboard at /)' },
  },
  details: `
Environment: ZIPP_TOKEN (bearer token), ZIPP_IMAGE_ENGINES ([NAME:]KIND=URL,...), ZIPP_ENDPOINTS (endpoints file),
ZIPP_LLM_BASE_URL / ZIPP_LLM_API_KEY / ZIPP_LLM_MODEL (or OPENAI_*): the LLM for /v1/rewrite and /v1/personas/*, and the
endpoint "default" of POST /v1/bench; without one those routes answer 503 and say how to connect one.
Over HTTP a benchmark picks LLMs and engines by these names; it never sends a server key to a URL of its own.
Every /v1 route but /v1/health needs "Authorization: Bearer <token>". API reference: GET /openapi.json.
Examples:
  zipp serve
  zipp serve --port 9000 --data /srv/zipp --cors chrome-extension://abcdefghijklmnopabcdefghijklmnop
  zipp serve --llm local=http://127.0.0.1:11434/v1 --engine gpu:comfyui=http://gpu1:8188 --engine gpu:comfyui=http://gpu2:8188`,
  schema: z.object({
    port: int('--port', 0, 65535).optional(),
    host: z.string().min(1).optional(),
    data: z.string().min(1).optional(),
    token: z.string().optional(),
    allowedHost: z.array(HostName).optional(),
    cors: z.array(CorsOrigin).optional(),
    llm: z.array(z.string()).optional(),
    engine: z.array(z.string()).optional(),
    endpoints: z.string().min(1).optional(),
    encoder: z.string().min(1).optional(),
    maxBody: bytes.optional(),
    maxUpload: bytes.optional(),
    rateLimit: int('--rate-limit', 0).optional(),
    rateBurst: int('--rate-burst', 1).optional(),
    studyJoinsPerClient: int('--study-joins-per-client', 1).optional(),
    studyJoinsPerStudy: int('--study-joins-per-study', 1).optional(),
    maxStreams: int('--max-streams', 1).optional(),
    maxStreamsPerToken: int('--max-streams-per-token', 1).optional(),
    uploadIdleTimeout: int('--upload-idle-timeout', 1).optional(),
    requestTimeout: int('--request-timeout', 1).optional(),
    shutdownGrace: int('--shutdown-grace', 0).optional(),
    concurrency: concurrency.optional(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
    noAccessLog: z.boolean().optional(),
    noDashboard: z.boolean().optional(),
  }),
  async run(args, io) {
    // Every failure below is a KnownError from where it happens (a bad endpoint entry or file, the token,
    // a port in use): the CLI's one door (main.ts) turns it into its line and exit code.
    const endpoints = endpointsFromServeOptions({ llm: args.llm, engine: args.engine, file: args.endpoints, env: io.env });
    const server = await startServer(
      {
        port: args.port,
        host: args.host,
        dataDir: args.data,
        token: args.token,
        corsOrigins: args.cors,
        allowedHosts: args.allowedHost,
        studyJoinsPerClient: args.studyJoinsPerClient,
        studyJoinsPerStudy: args.studyJoinsPerStudy,
        encoderDir: args.encoder ?? DEFAULT_ENCODER_DIR,
        endpoints,
        maxBodyBytes: args.maxBody,
        maxUploadBytes: args.maxUpload,
        rateLimit: args.rateLimit,
        rateBurst: args.rateBurst,
        maxStreams: args.maxStreams,
        maxStreamsPerToken: args.maxStreamsPerToken,
        uploadIdleTimeoutMs: args.uploadIdleTimeout,
        requestTimeoutMs: args.requestTimeout,
        shutdownGraceMs: args.shutdownGrace,
        concurrency: args.concurrency,
        logLevel: args.logLevel,
        accessLog: !args.noAccessLog,
        dashboard: !args.noDashboard,
      },
      { env: io.env },
    );
    const { url, token } = server;
    if (token.source === 'generated') {
      io.stderr(`zipp: new API token (stored in ${token.file}, mode 0600; shown only this once): ${token.value}`);
      io.stderr(`zipp: dashboard: ${url}/#token=${token.value}`);
    } else {
      io.stderr(`zipp: dashboard: ${url}/ (token: ${token.source === 'file' ? token.file : token.source === 'env' ? 'ZIPP_TOKEN' : '--token'})`);
    }
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          io.stderr(`zipp: second ${signal}: exiting now`);
          process.exit(130);
        }
        stopping = true;
        void server.close().then(resolve, (err) => {
          io.stderr(`zipp: shutdown failed: ${(err as Error).message}`);
          resolve();
        });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
});
