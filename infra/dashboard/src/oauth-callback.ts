/**
 * The check of the user pool's redirect back to the page, kept apart from the browser calls
 * so that it can be tested on its own. A sign-in the page started is remembered in session
 * storage (the PKCE verifier and a random `state`); a callback is taken only if it carries
 * that same `state`, so a code someone else obtained (a link or a forged redirect that would
 * sign the browser in as another user) is refused, never exchanged.
 */
export interface PendingSignIn {
  readonly verifier: string;
  readonly state: string;
}

export type CallbackOutcome =
  /** Not a sign-in callback: nothing to do. */
  | { readonly kind: 'none' }
  /** The callback of the sign-in this page started: exchange the code. */
  | { readonly kind: 'exchange'; readonly code: string; readonly verifier: string }
  /** A callback that must not sign anyone in, and why, for the person at the screen. */
  | { readonly kind: 'refused'; readonly reason: string };

/** Parses what the page stored when the sign-in started, or undefined if absent or damaged. */
export function parsePendingSignIn(stored: string | null): PendingSignIn | undefined {
  if (stored === null) return undefined;
  try {
    const { verifier, state } = JSON.parse(stored) as Record<string, unknown>;
    return typeof verifier === 'string' && typeof state === 'string' && state !== ''
      ? { verifier, state }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Decides what to do with the query string the user pool sent the browser back with. */
export function judgeCallback(
  params: URLSearchParams,
  pending: PendingSignIn | undefined,
): CallbackOutcome {
  const code = params.get('code');
  const error = params.get('error');
  if (code === null && error === null) return { kind: 'none' };
  if (pending === undefined) {
    return {
      kind: 'refused',
      reason:
        'Sign-in refused: this page did not start that sign-in (none is in progress in this tab). Please sign in again.',
    };
  }
  if (params.get('state') !== pending.state) {
    return {
      kind: 'refused',
      reason:
        'Sign-in refused: the answer does not belong to the sign-in this page started (state mismatch). Please sign in again.',
    };
  }
  if (error !== null) {
    return {
      kind: 'refused',
      reason: `Sign-in failed: ${params.get('error_description') ?? error}`,
    };
  }
  return { kind: 'exchange', code: code as string, verifier: pending.verifier };
}
