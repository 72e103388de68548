import { z } from 'zod';

export const UploadId = z.string().regex(/^upl_[a-z0-9]{20}$/, 'an upload id looks like upl_ followed by 20 letters/digits (from POST /v1/uploads)');

/** `POST /v1/uploads?name=F`: the file's name is kept (readers tell formats by extension), never a path. */
export const UploadQuery = z.strictObject({
  name: z
    .string()
    .regex(/^[\w.-]{1,120}$/, 'a plain file name (letters, digits, _ . -), e.g. interactions.csv')
    .refine((n) => !/^\.+$/.test(n), 'a plain file name, not "." or ".."'),
});

export const UploadInfo = z.object({
  id: UploadId,
  name: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});
export type UploadInfo = z.infer<typeof UploadInfo>;
