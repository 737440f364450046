import { describe, expect, it } from 'vitest';
import { parseEventsBody } from '../../edge-client/src/cli/events-body.js';
import { HttpRequestError } from '../../edge-client/src/http/errors.js';

const refusal = (text: string) => {
  try {
    parseEventsBody(text);
  } catch (error) {
    return error;
  }
  throw new Error('accepted');
};

describe('Function: parseEventsBody', () => {
  it('reads an array, one object over several lines, and NDJSON with its line numbers', () => {
    expect(parseEventsBody('[{"a":1},{"a":2}]')).toEqual({ events: [{ a: 1 }, { a: 2 }] });
    expect(parseEventsBody('{\n  "a": 1\n}\n')).toEqual({ events: [{ a: 1 }] });
    expect(parseEventsBody('{"a":1}\r\n\r\n{"a":2}\n')).toEqual({
      events: [{ a: 1 }, { a: 2 }],
      lines: [1, 3],
    });
    expect(parseEventsBody('  \n')).toEqual({ events: [] });
  });

  it('refuses the whole body at the first line that is not JSON, naming it', () => {
    const error = refusal('{"a":1}\n\n{"a":2}\n{"a":\n{"a":3}');
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as HttpRequestError).status).toBe(400);
    expect((error as HttpRequestError).detail).toMatch(/^line 4: not JSON: /);
  });

  it('refuses a broken array as the body, not as a line', () => {
    expect((refusal('[{"a":1},') as HttpRequestError).detail).toMatch(/^the body: not JSON: /);
  });
});
