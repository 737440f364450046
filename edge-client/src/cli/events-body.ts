import { HttpRequestError } from '../http/errors.js';

/** The events of one `POST /events` body, with the line each came from when it was NDJSON. */
export interface EventsBody {
  readonly events: unknown[];
  /** `lines[i]` is the 1-based line of `events[i]` in an NDJSON body; absent otherwise. */
  readonly lines?: readonly number[];
}

/**
 * Parses a `POST /events` body: a JSON array, one JSON object (on one line or several), or
 * NDJSON (one object per line, blank lines ignored). A line that is not JSON refuses the
 * whole body (400) and names its line: nothing of a body is accepted unless all of it is.
 */
export function parseEventsBody(text: string): EventsBody {
  const trimmed = text.trim();
  if (trimmed === '') return { events: [] };
  if (trimmed.startsWith('[')) {
    try {
      return { events: JSON.parse(trimmed) as unknown[] };
    } catch (error) {
      throw notJson(error, 'the body');
    }
  }
  if (trimmed.startsWith('{')) {
    // One object, perhaps pretty-printed over several lines.
    try {
      return { events: [JSON.parse(trimmed) as unknown] };
    } catch {
      // not one object: NDJSON, below
    }
  }
  const events: unknown[] = [];
  const lines: number[] = [];
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const line = all[i] as string;
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line));
    } catch (error) {
      throw notJson(error, `line ${i + 1}`);
    }
    lines.push(i + 1);
  }
  return { events, lines };
}

function notJson(error: unknown, where: string): HttpRequestError {
  const reason = error instanceof Error ? error.message : String(error);
  return new HttpRequestError(400, 'Bad Request', `${where}: not JSON: ${reason}`);
}
