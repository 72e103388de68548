/**
 * A problem with a file or value the user supplied (unreadable, malformed, inconsistent). The message is
 * one line naming the file/field and the fix; the CLI turns it into exit code 2.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
