import { z } from 'zod';

/**
 * Every error the API returns has this body: a stable machine code, one human line that names the problem
 * and the fix, and the offending field as a dotted path when one input is to blame.
 */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
