/**
 * The Models view and a store page's lanes table in headless Chromium, against the embedded
 * stack with simulated data: what the page shows is what the API answers for the same token,
 * and each role sees only its scope.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import type {
  ModelQualityResponse,
  StoreLanesResponse,
} from '../../functions/impact-api/schemas.js';
import { toCsv } from '../../infra/dashboard/src/csv.js';
import { count, money, share } from '../../infra/dashboard/src/format.js';
import {
  compareRows,
  compareTable,
  defaultCompare,
  lanesCsv,
  lanesTable,
  modelCompareCsv,
  type VersionQuality,
  versionName,
} from '../../infra/dashboard/src/model-quality-csv.js';
import { defaultPeriod } from '../../infra/dashboard/src/period.js';
import type { EmbeddedStack } from '../../infra/local/embedded-stack.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import {
  type DashboardPage,
  dashboardStack,
  launchBrowser,
  openPage,
  screenshot,
} from '../helpers/dashboard-browser.js';
import { eventually } from '../helpers/eventually.js';

/** Six stores: store-0001 and store-0006 share us-east (the simulator deals regions in turn). */
const STORES = 6;

let stack: EmbeddedStack;
let browser: Browser;
let dataDir: string;
let leadership: string;

const { from, to } = defaultPeriod();
const period = `from=${from}&to=${to}`;

async function answer(path: string, token: string): Promise<Response> {
  return fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function api<T>(path: string, token: string): Promise<T> {
  const res = await answer(path, token);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** The model-quality answer the page should show: the default pair's, as the view asks it. */
async function expectedModels(scope: string, token: string) {
  const first = await api<ModelQualityResponse>(`/v1/model-quality?${period}&${scope}`, token);
  expect(first.compare).toBeNull();
  const pair = defaultCompare(first.versions);
  if (pair === null) return { first, pair, r: first };
  const r = await api<ModelQualityResponse>(
    `/v1/model-quality?${period}&${scope}&compare=${encodeURIComponent(pair)}`,
    token,
  );
  return { first, pair, r };
}

/** The versions of the answer's comparison, as the answer lists them. */
function compared(r: ModelQualityResponse): [VersionQuality, VersionQuality] {
  const cmp = r.compare;
  if (cmp === null) throw new Error('no comparison in the answer');
  const find = (name: string) => {
    const v = r.versions.find((x) => versionName(x) === name);
    if (v === undefined) throw new Error(`${name} not among the answer's versions`);
    return v;
  };
  return [find(versionName(cmp.a)), find(versionName(cmp.b))];
}

/** Every body row of a table, as its cells' text. */
const rowsOf = (page: DashboardPage, selector: string) =>
  page
    .locator(selector)
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent ?? '')),
    );

/** The model-quality requests the page made, as their query strings. */
function modelRequests(page: DashboardPage): URLSearchParams[] {
  const seen: URLSearchParams[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname === '/v1/model-quality') seen.push(url.searchParams);
  });
  return seen;
}

/** A download's lines, without its BOM and the empty string after the last CRLF. */
async function downloaded(page: DashboardPage, button: string, name: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(button).click(),
  ]);
  const file = join(dataDir, name);
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  return text.slice(1);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-dash-models-'));
  [stack, browser] = await Promise.all([dashboardStack(dataDir), launchBrowser()]);
  leadership = await stack.issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 900);
  const { truth } = await runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores: STORES,
    rate: 4_000,
    seed: 7,
    maxEvents: 6_000,
    baselines: DEFAULT_BASELINES,
    truthFile: join(dataDir, 'simulator', 'ground-truth.json'),
    spoolDir: join(dataDir, 'simulator', 'spool'),
  });
  // Wait until the pipeline has counted every detection and outcome, so the page and the API
  // see the same figures.
  await eventually(async () => {
    type Impact = { shrink: { detections: number; outcomes: number } };
    const body = await api<Impact>(`/v1/impact?${period}`, leadership);
    expect(body.shrink.detections).toBe(truth.shrink.detections);
    expect(body.shrink.outcomes).toBe(truth.shrink.outcomes);
  }, 90_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Models view and lanes table, on simulated data', () => {
  it("compares the region's two busiest versions side by side as the API does, b − a included, and re-compares the pair picked", async () => {
    // Prepare: store-0001's region, and what the API answers for it.
    const { region } = await api<{ region: string }>(
      `/v1/stores/store-0001/shrink?${period}`,
      leadership,
    );
    const { first, pair, r } = await expectedModels(`region=${region}`, leadership);
    expect(pair, 'the simulator runs two model versions').not.toBeNull();
    const [a, b] = compared(r);
    expect(`${versionName(a)},${versionName(b)}`).toBe(pair);
    expect(a.total.detections + b.total.detections).toBeGreaterThan(0);

    // Act
    const page = await openPage(browser, stack.apiUrl, leadership, '#/overview');
    const asked = modelRequests(page);
    await page.goto(`${stack.apiUrl}/#/models?region=${region}`);
    const panel = page.locator('[data-panel="models"]');
    await panel.locator('table.compare-table').waitFor();

    // Assess: a first answer without a pair, then the default pair.
    expect(asked.map((q) => [q.get('region'), q.get('compare')])).toEqual([
      [region, null],
      [region, pair],
    ]);
    expect(await page.locator('#version-a').inputValue()).toBe(versionName(a));
    expect(await page.locator('#version-b').inputValue()).toBe(versionName(b));
    // Every cell of the table is the API's figure, formatted as the page formats it.
    const cur = (c: number) => money(c, r.currency);
    const rows = compareRows(a, b, r.compare);
    expect(await rowsOf(page, '[data-panel="models"] table.compare-table tbody tr')).toEqual(
      compareTable(rows, cur),
    );
    // ...and, read straight from the answer: the totals and their difference.
    // Over every store read: the answer's versions.
    const total = panel.locator('tr[data-row="total-all"]');
    expect(await total.locator('[data-detections-a]').textContent()).toBe(
      count(a.total.detections),
    );
    expect(await total.locator('[data-detections-b]').textContent()).toBe(
      count(b.total.detections),
    );
    expect(
      Number(await total.locator('[data-detections-diff]').getAttribute('data-detections-diff')),
    ).toBe(b.total.detections - a.total.detections);
    expect(await total.locator('[data-fp-rate-a]').textContent()).toBe(
      share(a.total.falsePositiveRate),
    );
    expect(await total.locator('[data-prevented-b]').textContent()).toBe(
      cur(b.total.lossPreventedCents),
    );
    // Like for like, over the stores that ran both: the answer's compare.
    const cmp = r.compare;
    expect(cmp?.storesWithBoth.length, 'a store of the region runs both').toBeGreaterThan(0);
    const both = panel.locator('tr[data-row="total-both"]');
    expect(await both.locator('[data-detections-a]').textContent()).toBe(
      count(cmp?.a.total.detections ?? Number.NaN),
    );
    expect(await both.locator('[data-fp-rate-b]').textContent()).toBe(
      share(cmp?.b.total.falsePositiveRate ?? null),
    );
    expect(
      await panel.locator('[data-stores-with-both]').getAttribute('data-stores-with-both'),
    ).toBe(r.compare?.storesWithBoth.join(' '));
    for (const s of r.compare?.storesWithBoth ?? []) {
      expect(await panel.locator('.compare').textContent()).toContain(s);
    }
    expect(await panel.locator('.read-cost').getAttribute('data-read-cost')).toBe(
      String(r.cost.readUnits),
    );
    expect(await panel.locator('.read-cost').textContent()).toContain(
      `${first.cost.readUnits} read units`,
    );
    // Every version's totals, in the answer's order.
    expect(
      await panel
        .locator('table.versions tbody tr')
        .evaluateAll((tr) => tr.map((e) => e.getAttribute('data-version'))),
    ).toEqual(r.versions.map(versionName));

    // The download holds the same rows, as figures.
    const csv = await downloaded(page, '[data-panel="models"] button[data-csv]', 'models.csv');
    expect(csv).toBe(toCsv(modelCompareCsv(a, b, r.currency), rows));
    const lines = csv.split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    const totalLine = lines.find((l) => l.startsWith('Total,every store read,'))?.split(',') ?? [];
    expect(Number(totalLine[header.indexOf(`Detections a ${versionName(a)}`)])).toBe(
      a.total.detections,
    );
    expect(Number(totalLine[header.indexOf('Detections b - a')])).toBe(
      b.total.detections - a.total.detections,
    );
    await screenshot(page, 'models-region');

    // Act: swap the pair; the view asks the API for it (no auto-refresh meanwhile).
    await page.locator('#auto').uncheck();
    const swapped = page.waitForRequest(
      (req) =>
        new URL(req.url()).searchParams.get('compare') === `${versionName(b)},${versionName(a)}`,
    );
    await page.locator('#version-b').selectOption(versionName(a));
    await page.locator('#version-a').selectOption(versionName(b));
    await swapped;
    await page.waitForSelector('[data-view="models"][aria-busy="false"]');
    expect(await panel.locator('table.compare-table caption').textContent()).toContain(
      `${versionName(b)} (a) beside ${versionName(a)} (b)`,
    );
    // Assess: b − a changes sign.
    const after = await api<ModelQualityResponse>(
      `/v1/model-quality?${period}&region=${region}&compare=${encodeURIComponent(`${versionName(b)},${versionName(a)}`)}`,
      leadership,
    );
    expect(await rowsOf(page, '[data-panel="models"] table.compare-table tbody tr')).toEqual(
      compareTable(compareRows(b, a, after.compare), cur),
    );
    expect(
      Number(
        await page
          .locator('tr[data-row="total-all"] [data-detections-diff]')
          .getAttribute('data-detections-diff'),
      ),
    ).toBe(a.total.detections - b.total.detections);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("shows a store's lanes as the API answers them, flagged lanes marked with the flag rule", async () => {
    // Prepare: the stores' lanes; the simulator gives one lane of some stores a high FP rate.
    const answers: StoreLanesResponse[] = [];
    for (let i = 1; i <= STORES; i++) {
      const id = `store-${String(i).padStart(4, '0')}`;
      answers.push(await api<StoreLanesResponse>(`/v1/stores/${id}/lanes?${period}`, leadership));
    }
    const r = answers.find((x) => x.lanes.some((l) => l.flagged));
    expect(r, 'a store with a flagged lane').toBeDefined();
    if (r === undefined) return;

    // Act
    const page = await openPage(browser, stack.apiUrl, leadership, `#/stores/${r.storeId}`);
    const panel = page.locator('[data-panel="lanes"]');
    await panel.locator('tbody tr').first().waitFor();

    // Assess
    expect(await rowsOf(page, '[data-panel="lanes"] tbody tr')).toEqual(lanesTable(r));
    expect(
      await panel
        .locator('tbody tr')
        .evaluateAll((tr) =>
          tr.map((e) => [e.getAttribute('data-lane'), e.getAttribute('data-flagged')]),
        ),
    ).toEqual(r.lanes.map((l) => [l.laneId, String(l.flagged)]));
    expect(await panel.locator('tr.flagged').count()).toBe(r.lanes.filter((l) => l.flagged).length);
    expect(await panel.locator('.flag-rule').textContent()).toContain(r.flagRule);
    expect(await panel.locator('[data-store-fp-rate]').textContent()).toBe(
      share(r.store.falsePositiveRate),
    );
    expect(await panel.locator('tfoot td').first().textContent()).toBe(count(r.store.detections));
    expect(await panel.locator('.read-cost').getAttribute('data-read-cost')).toBe(
      String(r.cost.readUnits),
    );
    const csv = await downloaded(page, '[data-panel="lanes"] button[data-csv]', 'lanes.csv');
    expect(csv).toBe(toCsv(lanesCsv(r), r.lanes));
    const flaggedLines = csv.split('\r\n').filter((l) => l.split(',')[7] === 'yes');
    expect(flaggedLines.map((l) => l.split(',')[0])).toEqual(
      r.lanes.filter((l) => l.flagged).map((l) => l.laneId),
    );
    await screenshot(page, 'store-lanes');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('keeps a store manager to its store: its own models and lanes, no other store', async () => {
    const manager = await stack.issuer.sign(
      { sub: 'mgr', 'custom:role': 'store_manager', 'custom:stores': 'store-0001' },
      900,
    );
    // Prepare: the API refuses the manager another store, and a region.
    for (const path of [
      `/v1/model-quality?${period}&storeId=store-0002`,
      `/v1/stores/store-0002/lanes?${period}`,
    ]) {
      expect((await answer(path, manager)).status, path).toBe(403);
    }
    const { pair, r } = await expectedModels('storeId=store-0001', manager);

    // Act
    const page = await openPage(browser, stack.apiUrl, manager, '#/overview');
    const asked = modelRequests(page);
    await page.goto(`${stack.apiUrl}/#/models`);
    const panel = page.locator('[data-panel="models"]');
    await panel.waitFor();

    // Assess: asked for its store only, and shown the API's figures for it.
    expect(asked.length).toBeGreaterThan(0);
    for (const q of asked) {
      expect(q.get('storeId')).toBe('store-0001');
      expect(q.get('region')).toBeNull();
    }
    expect(await page.locator('#region').count()).toBe(0);
    expect(await panel.getAttribute('data-store-id')).toBe('store-0001');
    if (pair === null) {
      expect(await panel.locator('[data-state="no-compare"]').count()).toBe(1);
    } else {
      const [a, b] = compared(r);
      expect(await rowsOf(page, '[data-panel="models"] table.compare-table tbody tr')).toEqual(
        compareTable(compareRows(a, b, r.compare), (c) => money(c, r.currency)),
      );
      for (const s of r.compare?.storesWithBoth ?? []) expect(s).toBe('store-0001');
    }
    expect(
      await panel
        .locator('table.versions tbody tr td:first-of-type')
        .evaluateAll((td) => td.map((e) => e.textContent)),
    ).toEqual(r.versions.map((v) => count(v.total.detections)));
    await screenshot(page, 'models-store-manager');

    // Its store page has its lanes; another store's page is refused, lanes and all.
    const lanes = await api<StoreLanesResponse>(`/v1/stores/store-0001/lanes?${period}`, manager);
    await page.goto(`${stack.apiUrl}/#/stores/store-0001`);
    await page.locator('[data-panel="lanes"] tbody tr').first().waitFor();
    expect(await rowsOf(page, '[data-panel="lanes"] tbody tr')).toEqual(lanesTable(lanes));
    await page.goto(`${stack.apiUrl}/#/stores/store-0002`);
    await page.waitForSelector('[data-state="error"][data-status="403"]');
    expect(await page.locator('[data-panel="lanes"]').count()).toBe(0);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('compares like for like for a store manager whose store runs both versions', async () => {
    // store-0006 runs 4.1.0 on some lanes and 4.2.1 on others (the simulator's rollout).
    const manager = await stack.issuer.sign(
      { sub: 'mgr6', 'custom:role': 'store_manager', 'custom:stores': 'store-0006' },
      900,
    );
    const { pair, r } = await expectedModels('storeId=store-0006', manager);
    expect(pair).not.toBeNull();
    expect(r.compare?.storesWithBoth).toEqual(['store-0006']);
    const [a, b] = compared(r);

    const page = await openPage(browser, stack.apiUrl, manager, '#/models');
    const panel = page.locator('[data-panel="models"]');
    await panel.locator('table.compare-table').waitFor();

    expect(await panel.getAttribute('data-store-id')).toBe('store-0006');
    expect(await rowsOf(page, '[data-panel="models"] table.compare-table tbody tr')).toEqual(
      compareTable(compareRows(a, b, r.compare), (c) => money(c, r.currency)),
    );
    // One store read, and it ran both: like for like is the store's whole figure.
    const both = panel.locator('tr[data-row="total-both"] [data-detections-a]');
    const all = panel.locator('tr[data-row="total-all"] [data-detections-a]');
    expect(await both.textContent()).toBe(count(a.total.detections));
    expect(await all.textContent()).toBe(count(a.total.detections));
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("keeps a region manager to its region: offered no other, refused another's models", async () => {
    const manager = await stack.issuer.sign(
      { sub: 'rm', 'custom:role': 'region_manager', 'custom:regions': 'us-east' },
      900,
    );
    expect((await answer(`/v1/model-quality?${period}&region=uk`, manager)).status).toBe(403);
    const { pair, r } = await expectedModels('region=us-east', manager);

    // Act: the view without a region is the manager's region.
    const page = await openPage(browser, stack.apiUrl, manager, '#/overview');
    await page.waitForSelector('#region[data-state="ready"]');
    const asked = modelRequests(page);
    await page.goto(`${stack.apiUrl}/#/models`);
    const panel = page.locator('[data-panel="models"]');
    await panel.waitFor();

    // Assess: only its region to pick, and that region's figures.
    expect(
      await page
        .locator('#region option')
        .evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
    ).toEqual(['', 'us-east']);
    expect(asked.map((q) => q.get('region'))).toEqual(
      pair === null ? ['us-east'] : ['us-east', 'us-east'],
    );
    expect(await panel.getAttribute('data-region')).toBe('us-east');
    if (pair !== null) {
      const [a, b] = compared(r);
      expect(await rowsOf(page, '[data-panel="models"] table.compare-table tbody tr')).toEqual(
        compareTable(compareRows(a, b, r.compare), (c) => money(c, r.currency)),
      );
    }

    // Act: a link naming another region.
    await page.goto(`${stack.apiUrl}/#/models?region=uk`);
    await page.waitForSelector('[data-state="error"][data-status="403"]');

    // Assess: the API's refusal, no figures.
    expect(await page.locator('[data-panel="models"]').count()).toBe(0);
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
