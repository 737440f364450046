import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboard } from '../../infra/dashboard/build.js';
import { launchBrowser } from '../helpers/dashboard-browser.js';

/**
 * The deployed sign-in (Cognito managed login, authorization code + PKCE + state) in headless
 * Chromium. Nothing leaves the browser: the page, its config and the user pool's two
 * endpoints are answered by request interception on made-up hosts.
 */
// HTTPS, as deployed: Web Crypto (PKCE) exists only in a secure context.
const SITE = 'https://dashboard.test';
const LOGIN = 'https://login.test';
const CLIENT_ID = 'dashboard-client';

let browser: Browser;
let dist: string;
beforeAll(async () => {
  [browser, dist] = await Promise.all([launchBrowser(), ensureDashboard()]);
});
afterAll(async () => {
  await browser?.close();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ID_TOKEN = `${b64({ alg: 'none' })}.${b64({ sub: 'u1', 'custom:role': 'leadership', exp: Math.floor(Date.now() / 1000) + 900 })}.sig`;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css' };

interface FakePool {
  readonly authorizeUrls: URL[];
  readonly tokenRequests: URLSearchParams[];
}

/**
 * A page on the dashboard with a fake user pool that sends the browser back with a code and
 * the `state` that `answerState` picks from the one it received.
 */
async function withFakePool(answerState: (sent: string | null) => string | null) {
  const page = await browser.newPage();
  const pool: FakePool = { authorizeUrls: [], tokenRequests: [] };
  await page.route(`${SITE}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === '/config.json') {
      return route.fulfill({
        json: { auth: { kind: 'cognito', domain: LOGIN, clientId: CLIENT_ID } },
      });
    }
    if (pathname.startsWith('/v1/')) return route.fulfill({ status: 503, body: '' });
    const file = pathname === '/' ? 'index.html' : pathname.slice(1);
    return route.fulfill({
      body: readFileSync(join(dist, file)),
      contentType: TYPES[extname(file)] ?? 'text/html',
    });
  });
  await page.route(`${LOGIN}/oauth2/authorize**`, async (route) => {
    const url = new URL(route.request().url());
    pool.authorizeUrls.push(url);
    const back = new URL(url.searchParams.get('redirect_uri') ?? SITE);
    back.searchParams.set('code', 'the-code');
    const state = answerState(url.searchParams.get('state'));
    if (state !== null) back.searchParams.set('state', state);
    // A page that navigates back (Playwright does not route the target of a fulfilled 302).
    return route.fulfill({
      contentType: 'text/html',
      body: `<script>location.replace(${JSON.stringify(back.toString())})</script>`,
    });
  });
  await page.route(`${LOGIN}/oauth2/token`, async (route) => {
    pool.tokenRequests.push(new URLSearchParams(route.request().postData() ?? ''));
    return route.fulfill({
      json: { id_token: ID_TOKEN },
      headers: { 'access-control-allow-origin': '*' },
    });
  });
  return { page, pool };
}

const signIn = async (page: Page) => {
  await page.goto(`${SITE}/`);
  await page.getByRole('button', { name: /sign in/i }).click();
};
/** A session-storage entry of the page (evaluated in the browser, so passed as source text). */
const stored = (page: Page, key: string) =>
  page.evaluate(`sessionStorage.getItem(${JSON.stringify(key)})`) as Promise<string | null>;
const storedToken = (page: Page) => stored(page, 'impact.idToken');

describe('Dashboard: Cognito sign-in with state', () => {
  it('sends a random state with the PKCE challenge and signs in when it comes back', async () => {
    const { page, pool } = await withFakePool((sent) => sent);
    await signIn(page);
    await expect.poll(() => storedToken(page)).toBe(ID_TOKEN);
    const [authorize] = pool.authorizeUrls;
    expect(authorize?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize?.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(pool.tokenRequests.map((r) => r.get('code'))).toEqual(['the-code']);
    // The code and state leave the address bar; the pending sign-in leaves the tab.
    expect(new URL(page.url()).search).toBe('');
    expect(await stored(page, 'impact.pendingSignIn')).toBeNull();
    await page.close();
  });

  it('sends a new state each time', async () => {
    const { page, pool } = await withFakePool((sent) => sent);
    await signIn(page);
    await expect.poll(() => storedToken(page)).toBe(ID_TOKEN);
    await page.evaluate('sessionStorage.clear()');
    await signIn(page);
    await expect.poll(() => pool.tokenRequests.length).toBe(2);
    const [first, second] = pool.authorizeUrls.map((u) => u.searchParams.get('state'));
    expect(first).not.toBe(second);
    await page.close();
  });

  it.each([
    ['another state', () => 'forged-state'],
    ['no state', () => null],
  ])('refuses a callback with %s, exchanging nothing', async (_, answer) => {
    const { page, pool } = await withFakePool(answer);
    await signIn(page);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('state mismatch');
    expect(pool.tokenRequests).toEqual([]);
    expect(await storedToken(page)).toBeNull();
    await page.close();
  });

  it('refuses a code this tab never asked for (a link someone sent)', async () => {
    const { page, pool } = await withFakePool((sent) => sent);
    await page.goto(`${SITE}/?code=someone-elses-code&state=whatever`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'did not start that sign-in',
    );
    expect(pool.tokenRequests).toEqual([]);
    expect(await storedToken(page)).toBeNull();
    await page.close();
  });
});
