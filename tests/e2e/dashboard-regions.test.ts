import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRegisteredCoverage } from '../../functions/adapters/dynamodb-fleet-health.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import type { StoreInfo } from '../../functions/domain/registry-types.js';
import { TABLES } from '../../functions/shared/resources.js';
import type { EmbeddedStack } from '../../infra/local/embedded-stack.js';
import {
  dashboardStack,
  launchBrowser,
  openPage,
  screenshot,
} from '../helpers/dashboard-browser.js';

/** The region picker: filled from GET /v1/regions, per role, on the embedded stack. */
let stack: EmbeddedStack;
let browser: Browser;
let dataDir: string;

const STORES: StoreInfo[] = [
  { storeId: 'pick-0001', region: 'north', timeZone: 'UTC', lanes: 1 },
  { storeId: 'pick-0002', region: 'north', timeZone: 'UTC', lanes: 1 },
  { storeId: 'pick-0003', region: 'south', timeZone: 'UTC', lanes: 1 },
];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-dash-regions-'));
  [stack, browser] = await Promise.all([dashboardStack(dataDir), launchBrowser()]);
  await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
    stores: STORES,
    devices: [],
  });
  await putRegisteredCoverage(stack.dynamodb, TABLES.aggregates.localName, STORES, Date.now());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const pickerOptions = (page: Awaited<ReturnType<typeof openPage>>) =>
  page
    .locator('#region option')
    .evaluateAll((os) => os.map((o) => [o.getAttribute('value'), o.textContent]));

describe('Region picker', () => {
  it('offers leadership "All regions" and every region with stores, and picking one filters the view', async () => {
    const token = await stack.issuer.sign({ sub: 'l', 'custom:role': 'leadership' }, 900);
    const page = await openPage(browser, stack.apiUrl, token, '#/fleet');
    await page.waitForSelector('#region[data-state="ready"]');
    expect(await page.locator('input#region').count()).toBe(0);
    expect(await pickerOptions(page)).toEqual([
      ['', 'All regions'],
      ['north', 'north (2 stores)'],
      ['south', 'south (1 store)'],
    ]);
    await page.waitForSelector('[data-view="fleet"][data-state="choose-region"]');
    const asked = page.waitForRequest((r) => r.url().includes('/v1/fleet/health?region=south'));
    await page.locator('#region').selectOption('south');
    await page.locator('#filters button[type="submit"]').click();
    await asked;
    await screenshot(page, 'region-picker');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('offers a region manager only its token\'s regions, without "All regions"', async () => {
    const token = await stack.issuer.sign(
      { sub: 'r', 'custom:role': 'region_manager', 'custom:regions': 'south' },
      900,
    );
    const page = await openPage(browser, stack.apiUrl, token, '#/overview');
    await page.waitForSelector('#region[data-state="ready"]');
    expect(await pickerOptions(page)).toEqual([
      ['', 'All my regions'],
      ['south', 'south (1 store)'],
    ]);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('shows a store manager no picker', async () => {
    const token = await stack.issuer.sign(
      { sub: 's', 'custom:role': 'store_manager', 'custom:stores': 'pick-0001' },
      900,
    );
    const page = await openPage(browser, stack.apiUrl, token, '#/overview');
    await page.waitForSelector('#filters button[type="submit"]');
    expect(await page.locator('#region').count()).toBe(0);
    await page.close();
  });
});
