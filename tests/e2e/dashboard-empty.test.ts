import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedStack } from '../../infra/local/embedded-stack.js';
import {
  dashboardStack,
  launchBrowser,
  openPage,
  screenshot,
} from '../helpers/dashboard-browser.js';

let stack: EmbeddedStack;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-dash-empty-'));
  [stack, browser] = await Promise.all([dashboardStack(dataDir), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Dashboard on a fresh data folder', () => {
  it('tells a new user what to do', async () => {
    const token = await stack.issuer.sign({ sub: 'new', 'custom:role': 'leadership' }, 900);
    const page = await openPage(browser, stack.apiUrl, token, '#/overview');
    await page.waitForSelector('[data-state="empty"]');
    expect(await page.locator('[data-state="empty"]').textContent()).toContain('npm run simulate');
    expect(await page.locator('[data-kpi]').count()).toBe(0);
    await screenshot(page, 'overview-empty');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('asks for a token when signed out, and refuses one without a role', async () => {
    const page = await openPage(browser, stack.apiUrl, undefined, '#/overview');
    await page.waitForSelector('[data-state="signed-out"]');
    await page.locator('#token').fill('not-a-token');
    await page.locator('[data-state="signed-out"] button[type="submit"]').click();
    await page.waitForSelector('[data-state="signed-out"] [role="alert"]');
    await screenshot(page, 'signed-out');
    await page.close();
  });
});
