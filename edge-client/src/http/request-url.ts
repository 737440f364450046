import type { IncomingMessage } from 'node:http';
import { HttpRequestError } from './errors.js';

/**
 * The request target as a URL, or a 400 if it is not one. Node's parser lets request lines
 * like `GET http://[ HTTP/1.1` through to the handler, where `new URL` throws.
 */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch (error) {
    throw new HttpRequestError(400, 'Bad Request', 'the request target is not a valid URL', {
      cause: error,
    });
  }
}
