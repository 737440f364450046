import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DevIssuer } from './dev-issuer.js';

/**
 * One-click sign-in for the local stack only. The deployed dashboard has none of it: the
 * built bundle is the same for both, and this module lives in the local server, which adds
 * `/local/sign-in.js` to the page it serves and answers `POST /local/sign-in/{role}` with a
 * dev-issuer token. Neither path is in ROUTES, so the CDK stack never has them. The endpoint
 * answers loopback callers only: a stack bound to another interface still mints no token for
 * a caller elsewhere on the network.
 */
export const LOCAL_SIGN_IN_PREFIX = '/local/sign-in';
const SCRIPT_PATH = `${LOCAL_SIGN_IN_PREFIX}.js`;

/**
 * The buttons' tokens: the simulator's first store and its region (`npm run simulate`). No
 * operator: the dashboard has no ops view (it refuses an operator's token).
 */
const SIGN_IN_CLAIMS: Record<string, Record<string, string>> = {
  leadership: { sub: 'local-leadership', 'custom:role': 'leadership' },
  region_manager: {
    sub: 'local-region-manager',
    'custom:role': 'region_manager',
    'custom:regions': 'us-east',
  },
  store_manager: {
    sub: 'local-store-manager',
    'custom:role': 'store_manager',
    'custom:stores': 'store-0001',
  },
};

/** An hour: long enough for a session, short as dev tokens go. */
const TTL_SECONDS = 3_600;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export const isLoopback = (address: string | undefined) =>
  address !== undefined && LOOPBACK.has(address);

/** The page the local server serves, with the sign-in script added. */
export const withLocalSignIn = (html: string) =>
  html.replace('</body>', `<script type="module" src="${SCRIPT_PATH}"></script></body>`);

/**
 * Adds a button per role to the dashboard's signed-out form; a click asks the local server
 * for a token and stores it as a pasted one would be.
 */
const SCRIPT = `const ROLES = [['leadership', 'Leadership'], ['region_manager', 'Region manager (us-east)'],
  ['store_manager', 'Store manager (store-0001)']];
function addButtons() {
  const form = document.querySelector('[data-state="signed-out"]');
  if (form === null || form.querySelector('[data-local-sign-in]') !== null) return;
  const box = document.createElement('div');
  box.setAttribute('data-local-sign-in', '');
  const p = document.createElement('p');
  p.textContent = 'Local stack only: sign in as';
  box.append(p);
  for (const [role, label] of ROLES) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.role = role;
    b.textContent = label;
    b.addEventListener('click', async () => {
      const res = await fetch('${LOCAL_SIGN_IN_PREFIX}/' + role, { method: 'POST' });
      if (!res.ok) { p.textContent = 'Sign-in refused (' + res.status + ')'; return; }
      const { token } = await res.json();
      sessionStorage.setItem('impact.idToken', token);
      location.reload();
    });
    box.append(b, ' ');
  }
  form.prepend(box);
}
new MutationObserver(addButtons).observe(document.body, { childList: true, subtree: true });
addButtons();
`;

function reply(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** Answers the local sign-in paths; false for any other path (then the server goes on). */
export async function handleLocalSignIn(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  issuer: DevIssuer,
): Promise<boolean> {
  if (!pathname.startsWith(LOCAL_SIGN_IN_PREFIX)) return false;
  if (!isLoopback(req.socket.remoteAddress)) {
    reply(res, 403, 'application/json', JSON.stringify({ message: 'local callers only' }));
    return true;
  }
  if (pathname === SCRIPT_PATH && req.method === 'GET') {
    reply(res, 200, 'text/javascript; charset=utf-8', SCRIPT);
    return true;
  }
  const role = pathname.slice(LOCAL_SIGN_IN_PREFIX.length + 1);
  const claims = Object.hasOwn(SIGN_IN_CLAIMS, role) ? SIGN_IN_CLAIMS[role] : undefined;
  if (req.method !== 'POST' || !pathname.startsWith(`${LOCAL_SIGN_IN_PREFIX}/`) || !claims) {
    reply(res, 404, 'application/json', JSON.stringify({ message: 'Not Found' }));
    return true;
  }
  const token = await issuer.sign(claims, TTL_SECONDS);
  reply(res, 200, 'application/json', JSON.stringify({ token, role }));
  return true;
}
