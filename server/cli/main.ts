import { helpText, parseCommandArgs, type Command, type CommandIO } from './command.ts';
import { exitCodeOf, KnownError } from '../../shared/errors.ts';
import { COMMANDS, loadCommand } from './registry.ts';
import { ZIPP_VERSION } from '../../shared/version.ts';

const defaultIO: CommandIO = {
  stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
};

function topHelp(): string {
  const rows = Object.entries(COMMANDS);
  const width = Math.max(0, ...rows.map(([n]) => n.length)) + 2;
  return [
    'zipp — persona-based image personalization',
    '',
    'Usage: zipp <command> [options]      zipp <command> --help',
    '',
    'Commands:',
    ...rows.map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`),
    '',
    'LLM settings: ZIPP_LLM_BASE_URL, ZIPP_LLM_API_KEY, ZIPP_LLM_MODEL (falling back to OPENAI_BASE_URL,',
    'OPENAI_API_KEY, OPENAI_MODEL). Any OpenAI-compatible server works: OpenAI, Ollama, llama.cpp, vLLM.',
  ].join('\n');
}

/** Finds the longest command name that prefixes argv ("encoder train" before "encoder"). */
function resolve(argv: string[]): { name: string; rest: string[] } | undefined {
  for (let n = Math.min(2, argv.length); n >= 1; n--) {
    const name = argv.slice(0, n).join(' ');
    if (COMMANDS[name]) return { name, rest: argv.slice(n) };
  }
  return undefined;
}

/** Runs one CLI invocation and returns the process exit code (0 ok, 1 failure, 2 bad input/config). */
export async function main(argv: string[], io: CommandIO = defaultIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(topHelp());
    return 0;
  }
  if (argv[0] === '--version') {
    io.stdout(ZIPP_VERSION);
    return 0;
  }
  const found = resolve(argv);
  if (!found) {
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${argv[0]} `));
    const hint = group.length ? `one of: ${group.map((g) => `zipp ${g}`).join(', ')}` : 'see zipp --help';
    io.stderr(`zipp: unknown command '${argv.slice(0, 2).join(' ')}'; ${hint}`);
    return 2;
  }
  let command: Command | undefined;
  try {
    command = await loadCommand(found.name);
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout(helpText(command));
      return 0;
    }
    const args = parseCommandArgs(command, found.rest);
    return (await command.run(args, io)) ?? 0;
  } catch (err) {
    const { line, code } = cliFailure(err, command);
    io.stderr(`zipp: ${line}`);
    if (code === 1 && process.env.ZIPP_DEBUG) io.stderr(String((err as Error)?.stack ?? err));
    return code;
  }
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'not found: check the path',
  EISDIR: 'is a folder, expected a file',
  EACCES: 'permission denied: check the file mode',
};

/**
 * The CLI's one mapping from a failure to its line and exit code: the shared error kinds (2 when the
 * caller can fix their input or setup, else 1); a file Node could not open names the file (2); anything
 * else is a failure of the work itself (1). A field that is one of the command's flags is shown as the flag.
 */
export function cliFailure(err: unknown, command?: Command): { line: string; code: 1 | 2 } {
  if (err instanceof KnownError) {
    const flag = err.field !== undefined && command?.options[err.field] ? `--${err.field}` : undefined;
    const line = flag ? `${flag}: ${err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field!.length + 2) : err.message}` : err.message;
    return { line: firstLine(line), code: exitCodeOf(err.kind) };
  }
  const errno = err as NodeJS.ErrnoException;
  if (typeof errno?.code === 'string' && FILE_PROBLEMS[errno.code] && typeof errno.path === 'string') {
    return { line: `${errno.path}: ${FILE_PROBLEMS[errno.code]}`, code: 2 };
  }
  return { line: firstLine(err instanceof Error ? err.message : String(err)), code: 1 };
}

const firstLine = (text: string) => text.split('\n')[0]!;
