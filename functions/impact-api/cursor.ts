import { createHash } from 'node:crypto';
import { forbidden } from './problem.js';

/**
 * Opaque leaderboard cursors: the next offset, bound to the query and the caller that got it.
 * A cursor that does not decode, or was made for another query or another token's scope, is
 * refused with 403 and never answered. Scope is still decided by the token, not the cursor,
 * so even a forged cursor could only move within what the caller may already read.
 */
export function cursorBinding(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

export function encodeCursor(offset: number, binding: string): string {
  return Buffer.from(JSON.stringify({ o: offset, b: binding })).toString('base64url');
}

export function decodeCursor(cursor: string, binding: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw forbidden('cursor is not valid for this query');
  }
  const { o, b } = (parsed ?? {}) as { o?: unknown; b?: unknown };
  if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0 || b !== binding) {
    throw forbidden('cursor is not valid for this query');
  }
  return o;
}
