import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startEmbeddedStack } from '../../infra/local/embedded-stack.js';

/** Debian's headless Chromium (`.ci/run` installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of each view, kept as test artifacts. */
export const SHOTS = join(process.cwd(), 'test-results', 'dashboard');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** An embedded stack serving the dashboard, with a fast event source for tests. */
export const dashboardStack = (dataDir: string) =>
  startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    dashboard: true,
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
  });

export type DashboardPage = Page & { errors: string[] };

/** Opens the dashboard at `hash`, signed in with `token` (as the sign-in form stores it). */
export async function openPage(
  browser: Browser,
  base: string,
  token: string | undefined,
  hash: string,
): Promise<DashboardPage> {
  const page = (await browser.newPage({
    viewport: { width: 1360, height: 1000 },
  })) as DashboardPage;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  if (token !== undefined) {
    await page.addInitScript(`sessionStorage.setItem('impact.idToken', ${JSON.stringify(token)});`);
  }
  await page.goto(`${base}/${hash}`);
  return page;
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
