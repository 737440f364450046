import { createHash } from 'node:crypto';
import { invalidParameters } from '#shared/problem';

/**
 * Largest offset a leaderboard cursor may carry: far past any fleet's store count (every page
 * reads the figures of the whole scope anyway), so a cursor can never ask for more than that.
 */
export const MAX_CURSOR_OFFSET = 1_000_000;

/**
 * Leaderboard cursors: the next offset, with a checksum of the query it continues. A cursor
 * is not a credential and proves nothing: the checksum is a plain hash of values the caller
 * knows, so anyone can build a cursor for any offset. It need prove nothing either: an offset
 * is only a position the caller could reach by paging, and the stores a page may show are
 * decided from the token on every page, never from the cursor. The checksum catches a client
 * bug (a cursor reused with other parameters or another scope, where its offset would mean
 * another position) and a damaged cursor; both are refused as a bad parameter (400).
 */
export function queryChecksum(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

export function encodeCursor(offset: number, checksum: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: checksum })).toString('base64url');
}

const refused = () =>
  invalidParameters([
    {
      name: 'cursor',
      reason: 'not a cursor of this query (pass the nextCursor of a page with the same parameters)',
    },
  ]);

/** The offset a cursor carries, or a 400 problem naming `cursor` if it does not continue this query. */
export function decodeCursor(cursor: string, checksum: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  const { o, q } = (parsed ?? {}) as { o?: unknown; q?: unknown };
  if (
    typeof o !== 'number' ||
    !Number.isSafeInteger(o) ||
    o < 0 ||
    o > MAX_CURSOR_OFFSET ||
    q !== checksum
  ) {
    throw refused();
  }
  return o;
}
