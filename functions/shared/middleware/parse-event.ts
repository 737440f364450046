import type middy from '@middy/core';
import type { z } from 'zod';

/**
 * middy middleware: replaces `request.event` with its zod-parsed form. Attach it last, so that
 * error handling and logging attached before it see its failures.
 */
export function parseEvent<S extends z.ZodType>(schema: S): middy.MiddlewareObj<unknown, unknown> {
  const before: middy.MiddlewareFn<unknown, unknown> = (request) => {
    request.event = schema.parse(request.event);
  };
  return { before };
}
