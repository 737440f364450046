/**
 * Who is looking. The page holds an ID token in session storage and sends it to the API; it
 * reads the token's claims only to decide what to offer (the API decides what to answer).
 *
 * - Deployed: the stack's Cognito user pool, by its managed login with the authorization
 *   code flow, PKCE and a random `state` checked on the way back (`config.json` names the
 *   domain and client).
 * - Locally: a token from the embedded stack's dev issuer, pasted once (`npm run token`).
 */
export type AuthConfig =
  | { readonly kind: 'dev' }
  | { readonly kind: 'cognito'; readonly domain: string; readonly clientId: string };

export interface Claims {
  readonly sub: string;
  readonly role: 'leadership' | 'region_manager' | 'store_manager';
  readonly stores: readonly string[];
  readonly regions: readonly string[];
  readonly exp: number;
}

import { judgeCallback, type PendingSignIn, parsePendingSignIn } from './oauth-callback.js';

const TOKEN_KEY = 'impact.idToken';
/** The sign-in in progress: its PKCE verifier and `state` (see oauth-callback.ts). */
const PENDING_KEY = 'impact.pendingSignIn';

export function currentToken(): string | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  if (token === undefined) return undefined;
  const claims = claimsOf(token);
  if (claims === undefined || claims.exp * 1000 <= Date.now()) {
    sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  }
  return token;
}

export function storeToken(token: string): Claims | undefined {
  const claims = claimsOf(token.trim());
  if (claims === undefined) return undefined;
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  return claims;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function claimsOf(token: string): Claims | undefined {
  try {
    const payload = token.split('.')[1];
    if (payload === undefined) return undefined;
    const json = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
          c.charCodeAt(0),
        ),
      ),
    ) as Record<string, unknown>;
    const role = json['custom:role'];
    if (role !== 'leadership' && role !== 'region_manager' && role !== 'store_manager')
      return undefined;
    const list = (v: unknown) => (typeof v === 'string' && v !== '' ? v.split(',') : []);
    return {
      sub: String(json.sub ?? ''),
      role,
      stores: list(json['custom:stores']),
      regions: list(json['custom:regions']),
      exp: Number(json.exp ?? 0),
    };
  } catch {
    return undefined;
  }
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const redirectUri = () => `${location.origin}${location.pathname}`;

/** Sends the browser to the user pool's sign-in page. */
export async function signInWithCognito(config: Extract<AuthConfig, { kind: 'cognito' }>) {
  const pending: PendingSignIn = {
    verifier: base64url(crypto.getRandomValues(new Uint8Array(32))),
    state: base64url(crypto.getRandomValues(new Uint8Array(16))),
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const { verifier } = pending;
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: pending.state,
  });
  location.assign(`${config.domain}/oauth2/authorize?${query}`);
}

/**
 * Completes a sign-in when the user pool sent the browser back with a code, if it carries the
 * `state` of the sign-in this tab started; anything else throws with the reason to show.
 */
export async function completeCognitoSignIn(
  config: Extract<AuthConfig, { kind: 'cognito' }>,
): Promise<void> {
  const outcome = judgeCallback(
    new URLSearchParams(location.search),
    parsePendingSignIn(sessionStorage.getItem(PENDING_KEY)),
  );
  if (outcome.kind === 'none') return;
  // One use: whatever the outcome, the pending sign-in and the code leave the tab.
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (outcome.kind === 'refused') throw new Error(outcome.reason);
  const response = await fetch(`${config.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: outcome.code,
      redirect_uri: redirectUri(),
      code_verifier: outcome.verifier,
    }),
  });
  if (!response.ok) throw new Error(`sign-in failed (${response.status})`);
  const body = (await response.json()) as { id_token?: string };
  if (body.id_token !== undefined) storeToken(body.id_token);
}
