/**
 * Structured logs: one JSON object per line ({time, level, msg, ...fields}). Fields whose names look like
 * secrets are replaced before anything is written, so a token or key passed by mistake never reaches a log.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
/**
 * Field names that hold a secret: ending in key, token, secret, password... ("apiKey", "accessToken",
 * "Authorization"), but not names that only mention one ("apiKeyEnv" names a variable, "maxTokens" and
 * "tokenId" are counts and hashes): stored job parameters are redacted with the same rule, so it must not
 * eat real parameters.
 */
const SECRET_KEY = /(api[-_]?key|token|secret|password|passwd|authorization|cookie|credentials?)$/i;
export const isSecretField = (name: string): boolean => SECRET_KEY.test(name);

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  readonly level: LogLevel;
}

/** Replaces secret fields (at any depth) with "[redacted]": for log lines and stored job parameters. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(line),
  base: Record<string, unknown> = {},
): Logger {
  return new JsonLogger(level, write, base);
}

/** Methods on the prototype: the server makes a child per request, which then costs one small object. */
class JsonLogger implements Logger {
  readonly #min: number;
  constructor(
    readonly level: LogLevel,
    private readonly write: (line: string) => void,
    private readonly base: Record<string, unknown>,
  ) {
    this.#min = RANK[level];
  }

  #emit(lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (RANK[lvl] < this.#min) return;
    const record = { time: new Date().toISOString(), level: lvl, msg, ...(redact({ ...this.base, ...fields }) as object) };
    this.write(`${JSON.stringify(record)}\n`);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('error', msg, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.level, this.write, { ...this.base, ...fields });
  }
}
