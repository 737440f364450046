import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { count, money } from '../../infra/dashboard/src/format.js';
import { defaultPeriod } from '../../infra/dashboard/src/period.js';
import type { EmbeddedStack } from '../../infra/local/embedded-stack.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import { dashboardStack, launchBrowser, openPage } from '../helpers/dashboard-browser.js';
import { eventually } from '../helpers/eventually.js';

/** The leaderboard's "Download CSV": the file's rows are the table's rows, as figures. */
let stack: EmbeddedStack;
let browser: Browser;
let dataDir: string;
let leadership: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-dash-csv-'));
  [stack, browser] = await Promise.all([dashboardStack(dataDir), launchBrowser()]);
  leadership = await stack.issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 900);
  await runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores: 4,
    rate: 3_000,
    seed: 5,
    maxEvents: 600,
    baselines: DEFAULT_BASELINES,
    truthFile: join(dataDir, 'simulator', 'ground-truth.json'),
    spoolDir: join(dataDir, 'simulator', 'spool'),
  });
  const { from, to } = defaultPeriod();
  await eventually(async () => {
    const res = await fetch(`${stack.apiUrl}/v1/stores?from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${leadership}` },
    });
    const body = (await res.json()) as { stores: unknown[] };
    expect(body.stores.length).toBe(4);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Download CSV', () => {
  it("saves the leaderboard's rows, with money as decimal currency and a BOM", async () => {
    const page = await openPage(browser, stack.apiUrl, leadership, '#/stores');
    await page.waitForSelector('[data-view="stores"] tbody tr[data-store]');
    const shown = await page
      .locator('[data-view="stores"] table.leaderboard tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td, th')].map((c) => c.textContent ?? '')),
      );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-view="stores"] button[data-csv]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^stores-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
    const file = join(dataDir, 'stores.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    const [header, ...rows] = lines.slice(0, -1).map((l) => l.split(','));
    expect(header?.slice(0, 6)).toEqual([
      'Rank',
      'Store',
      'Loss prevented (USD)',
      'Loss detected (USD)',
      'Confirmed loss (USD)',
      'Detections',
    ]);
    expect(rows).toHaveLength(shown.length);
    // Each CSV row, formatted as the page formats figures, is the table's row.
    const asShown = rows.map((r) => [
      r[0],
      r[1],
      money(Math.round(Number(r[2]) * 100), 'USD'),
      money(Math.round(Number(r[3]) * 100), 'USD'),
      money(Math.round(Number(r[4]) * 100), 'USD'),
      count(Number(r[5])),
    ]);
    expect(asShown).toEqual(shown.map((r) => r.slice(0, 6)));
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('signs in locally with one click, and shows figures', async () => {
    const page = await openPage(browser, stack.apiUrl, undefined, '#/overview');
    await page.waitForSelector('[data-local-sign-in] button[data-role="leadership"]');
    expect(
      await page
        .locator('[data-local-sign-in] button')
        .evaluateAll((b) => b.map((x) => x.getAttribute('data-role'))),
    ).toEqual(['leadership', 'region_manager', 'store_manager']);
    await page.locator('[data-local-sign-in] button[data-role="leadership"]').click();
    await page.waitForSelector('[data-view="overview"] [data-kpi]');
    expect(await page.locator('[data-kpi]').count()).toBeGreaterThan(0);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("saves the overview's loss-by-day table: its days and figures", async () => {
    const page = await openPage(browser, stack.apiUrl, leadership, '#/overview');
    const card = page.locator('[data-chart="loss-over-time"]');
    await card.locator('button[data-csv]').waitFor();
    const shown = await card
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td, th')].map((c) => c.textContent ?? '')),
      );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.locator('button[data-csv]').click(),
    ]);
    const file = join(dataDir, 'days.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').slice(1).split('\r\n').slice(0, -1);
    expect(lines[0]).toBe('Day,Detected (USD),Prevented (USD),Confirmed loss (USD),Coverage');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(
      rows.map((r) => [
        r[0],
        money(Math.round(Number(r[1]) * 100), 'USD'),
        money(Math.round(Number(r[2]) * 100), 'USD'),
        money(Math.round(Number(r[3]) * 100), 'USD'),
      ]),
    ).toEqual(shown.map((r) => r.slice(0, 4)));
    await page.close();
  });
});
