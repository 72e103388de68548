import type { z } from 'zod';

/**
 * One received server-sent event (its name and data text) read with a route's event union
 * (`{event: literal, data}` members): the typed event, or undefined for a name, a shape or data that is not
 * JSON the union does not know. Every ZIPP event's data is one JSON document.
 */
export function parseSseEvent<U extends z.ZodType>(union: U, event: string | undefined, data: string): z.output<U> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const r = union.safeParse({ event, data: json });
  return r.success ? r.data : undefined;
}
