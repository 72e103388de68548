import { helpText, parseCommandArgs, type CommandIO } from './command.ts';
import { CliError } from './errors.ts';
import { availableCommands, COMMANDS, loadCommand } from './registry.ts';

const defaultIO: CommandIO = {
  stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
};

function topHelp(): string {
  const rows = availableCommands();
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
    io.stdout('0.1.0');
    return 0;
  }
  const found = resolve(argv);
  if (!found) {
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${argv[0]} `));
    const hint = group.length ? `one of: ${group.map((g) => `zipp ${g}`).join(', ')}` : 'see zipp --help';
    io.stderr(`zipp: unknown command '${argv.slice(0, 2).join(' ')}'; ${hint}`);
    return 2;
  }
  try {
    let command;
    try {
      command = await loadCommand(found.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && !availableCommands().some(([n]) => n === found.name)) {
        io.stderr(`zipp: '${found.name}' is not part of this build yet; see zipp --help`);
        return 2;
      }
      throw err;
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout(helpText(command));
      return 0;
    }
    const args = parseCommandArgs(command, found.rest);
    return (await command.run(args, io)) ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`zipp: ${err.message}`);
      return err.exitCode;
    }
    const msg = err instanceof Error ? err.message : String(err);
    io.stderr(`zipp: ${msg.split('\n')[0]}`);
    if (process.env.ZIPP_DEBUG) io.stderr(String((err as Error)?.stack ?? err));
    return 1;
  }
}
