import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, RequestAbortedError } from './errors.js';

export interface ReadBodyOptions {
  /** Largest body kept, in bytes; past it the reader throws `BodyTooLargeError` (413). */
  readonly limit: number;
  /**
   * Bytes read and thrown away past `limit` so the sender gets its 413 instead of a reset
   * connection while it is still uploading; a body (or a `Content-Length`) past this is cut
   * off at once. @default 64 x limit
   */
  readonly discardLimit?: number;
}

/**
 * Reads a request body into one buffer, never keeping more than `limit` bytes: a larger body
 * is `BodyTooLargeError` (its detail names the limit), a client that goes away mid-body is
 * `RequestAbortedError`. The work one request can cause is bounded by `discardLimit` (and by
 * the server's request timeout).
 */
export async function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  const { limit } = options;
  const discardLimit = Math.max(limit, options.discardLimit ?? 64 * limit);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > discardLimit) {
    throw new BodyTooLargeError(limit, declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).byteLength;
      if (size > discardLimit) throw new BodyTooLargeError(limit, size);
      if (size <= limit) chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    throw new RequestAbortedError({ cause: error });
  }
  if (!req.complete) throw new RequestAbortedError();
  if (size > limit) throw new BodyTooLargeError(limit, size);
  return Buffer.concat(chunks, size);
}
