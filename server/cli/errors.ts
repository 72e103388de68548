/**
 * Errors the CLI turns into exit codes. Every message is one line that names the problem and the fix;
 * `main` prints it as `zipp: <message>` on stderr.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2 = bad input or missing configuration (the caller can fix it); 1 = the work itself failed. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad flags, bad values, unreadable input files, an LLM that is not configured: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
