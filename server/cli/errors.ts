import { InputError } from '../../shared/errors.ts';

/**
 * A bad flag or flag value (unknown option, missing value, a value the command's schema refuses). Every
 * other failure is one of the shared error kinds (shared/errors.ts), which `main` maps to exit codes.
 */
export class UsageError extends InputError {}
