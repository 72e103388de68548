import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './errors.ts';

/** One flag of a command. Values arrive as strings (or booleans) and are typed by the command's schema. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Allow the flag more than once; the schema then receives string[]. */
  multiple?: boolean;
  description: string;
  /** Shown in --help as the placeholder for the value, e.g. FILE or N. */
  placeholder?: string;
}

/** What a command can print: human text on stdout, or exactly one JSON document with --json. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface CommandSpec<S extends z.ZodType> {
  /** Full command path, e.g. "rewrite" or "encoder train". */
  name: string;
  summary: string;
  /** Extra lines for --help: examples, environment variables. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Validates the parsed flags (keys are the long flag names, camelCased). */
  schema: S;
  /** Names of positional arguments accepted, if any (passed as `_`). */
  positionals?: string;
  run: (args: z.output<S>, io: CommandIO) => Promise<number | void>;
}

export type Command = CommandSpec<z.ZodType>;

export function defineCommand<S extends z.ZodType>(spec: CommandSpec<S>): CommandSpec<S> {
  return spec;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * `--epochs -5`: node's parser takes "-5" for an option and calls the flag "ambiguous". A value flag
 * followed by a negative number gets it as its value (`--epochs=-5`), so the schema can say what is
 * wrong with it ("--epochs: must be at least 1").
 */
function joinNegativeValues(spec: Command, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const long = arg.startsWith('--') ? arg.slice(2) : Object.entries(spec.options).find(([, o]) => o.short && arg === `-${o.short}`)?.[0];
    if (long && spec.options[long]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`--${long}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Turns argv into the schema's output, or throws a one-line UsageError naming the flag and the fix. */
export function parseCommandArgs<S extends z.ZodType>(spec: CommandSpec<S>, argv: string[]): z.output<S> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(spec, argv),
      options: Object.fromEntries(
        Object.entries(spec.options).map(([k, o]) => [
          k,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      strict: true,
      allowPositionals: Boolean(spec.positionals),
    });
  } catch (err) {
    throw new UsageError(`${describeParseError(err)} (see: zipp ${spec.name} --help)`);
  }
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed.values)) raw[camel(k)] = v;
  if (spec.positionals) raw._ = parsed.positionals;
  const result = spec.schema.safeParse(raw);
  if (!result.success) throw new UsageError(`${formatIssue(result.error.issues[0]!)} (see: zipp ${spec.name} --help)`);
  return result.data;
}

function describeParseError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '([^']+)' argument missing/.exec(msg);
  if (missing) return `option ${missing[1]!.replace(/^-\w, /, '')} needs a value`;
  const positional = /Unexpected argument '([^']+)'/.exec(msg);
  if (positional) return `unexpected argument '${positional[1]}'`;
  return msg.split('\n')[0]!;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** "--max-tokens: expected a number" style message from the first zod issue. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path[0];
  const where = key === undefined ? '' : key === '_' ? 'argument: ' : `--${kebab(String(key))}: `;
  return `${where}${issue.message}`;
}

export function helpText(spec: Command): string {
  const lines = [`zipp ${spec.name} — ${spec.summary}`, '', 'Options:'];
  const entries = Object.entries(spec.options);
  const labels = entries.map(([k, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    return `${short}--${k}${o.type === 'string' ? ` ${o.placeholder ?? 'VALUE'}` : ''}`;
  });
  const width = Math.max(0, ...labels.map((l) => l.length)) + 2;
  entries.forEach(([, o], i) => lines.push(`  ${labels[i]!.padEnd(width)}${o.description}`));
  lines.push(`      ${'--help'.padEnd(width - 4)}show this help`);
  if (spec.details) lines.push('', spec.details.trim());
  return lines.join('\n');
}
