import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { SpoolFullError } from '../errors/spool-full-error.js';
import type { BodyTooLargeError } from '../http/errors.js';
import type { EventsBody } from './events-body.js';

/**
 * The answers an event intake gives (the daemon's `POST /events`, a store gateway's
 * `POST /v1/lane-events`): JSON for a success, RFC 9457 problem+json for a refusal.
 */
export function describe(error: unknown): string {
  if (error instanceof SyntaxError) return `not JSON: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** 413 for a body over MAX_BODY_BYTES, closing the connection if the upload is unread. */
export function replyTooLarge(req: IncomingMessage, res: ServerResponse, error: BodyTooLargeError) {
  return reply(
    res,
    413,
    {
      type: 'about:blank',
      title: 'Payload Too Large',
      status: 413,
      detail: `${error.detail}: send fewer events per request`,
    },
    // The rest of the upload is not read.
    req.complete ? {} : { connection: 'close' },
  );
}

/** Why `client.send` refused the events: 400 naming the line, 507 spool full, else 503. */
export function replyNotAccepted(res: ServerResponse, error: unknown, lines: EventsBody['lines']) {
  if (error instanceof InvalidEventError) return reply(res, 400, invalidEvent(error, lines));
  if (error instanceof SpoolFullError) {
    return reply(
      res,
      507,
      { type: 'about:blank', title: 'Spool full', status: 507, detail: error.message },
      { 'retry-after': '5' },
    );
  }
  return reply(res, 503, {
    type: 'about:blank',
    title: 'Unavailable',
    status: 503,
    detail: describe(error),
  });
}

/** The 400 problem: each issue, with the event's index and, for NDJSON, its body line. */
export function invalidEvent(error: InvalidEventError, lines: EventsBody['lines']) {
  return {
    type: 'about:blank',
    title: 'Invalid event',
    status: 400,
    detail:
      error.index !== undefined && lines?.[error.index] !== undefined
        ? `line ${lines[error.index]}: ${error.message}`
        : error.message,
    errors: error.issues.map((i) => ({
      name: i.path,
      reason: i.message,
      ...(error.index !== undefined && { index: error.index }),
      ...(error.index !== undefined &&
        lines?.[error.index] !== undefined && { line: lines[error.index] }),
    })),
  };
}
