/**
 * The leadership dashboard in headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the embedded stack with simulated data. Screenshots of each view
 * are kept in test-results/dashboard/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFleetHealth } from '../../functions/adapters/dynamodb-fleet-health.js';
import { mergeStatuses } from '../../functions/domain/fleet-health.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES } from '../../functions/shared/resources.js';
import { count, hours, money, share } from '../../infra/dashboard/src/format.js';
import { defaultPeriod } from '../../infra/dashboard/src/period.js';
import type { EmbeddedStack } from '../../infra/local/embedded-stack.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import {
  dashboardStack,
  launchBrowser,
  openPage,
  screenshot,
} from '../helpers/dashboard-browser.js';
import { eventually } from '../helpers/eventually.js';

let stack: EmbeddedStack;
let browser: Browser;
const dirs: string[] = [];
let leadership: string;
let storeManager: string;

async function api<T>(path: string, token: string): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

// One embedded stack per test file: the in-process handlers take their endpoints from the
// environment once, as in Lambda. The fresh-folder case is in dashboard-empty.test.ts.
beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Dashboard in headless Chromium, on simulated data', () => {
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sfi-dash-'));
    dirs.push(dataDir);
    stack = await dashboardStack(dataDir);
    leadership = await stack.issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 900);
    storeManager = await stack.issuer.sign(
      { sub: 'mgr', 'custom:role': 'store_manager', 'custom:stores': 'store-0001' },
      900,
    );
    const { truth } = await runLocalSimulation({
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      stores: 5,
      rate: 3_000,
      seed: 3,
      maxEvents: 2_000,
      baselines: DEFAULT_BASELINES,
      truthFile: join(dataDir, 'simulator', 'ground-truth.json'),
      spoolDir: join(dataDir, 'simulator', 'spool'),
    });
    // Wait until the pipeline has counted everything (outcomes join their detections later),
    // so the page and the API see the same.
    await eventually(async () => {
      type Shrink = { detections: number; outcomes: number; lossPreventedCents: number };
      const body = await api<{ shrink: Shrink }>(`/v1/impact?${period().query}`, leadership);
      expect({
        detections: body.shrink.detections,
        outcomes: body.shrink.outcomes,
        lossPreventedCents: body.shrink.lossPreventedCents,
      }).toEqual({
        detections: truth.shrink.detections,
        outcomes: truth.shrink.outcomes,
        lossPreventedCents: truth.shrink.lossPreventedCents,
      });
    });
  }, 120_000);

  afterAll(async () => stack?.stop());

  /** The page's default period, as the page computes it. */
  const period = () => {
    const { from, to } = defaultPeriod();
    return { from, to, query: `from=${from}&to=${to}` };
  };

  it("shows leadership the API's figures on the overview, with every chart also as a table", async () => {
    const { query } = period();
    type Impact = {
      currency: string;
      shrink: Record<string, number | null>;
      hoursSaved: { hoursSaved: number; automatedShare: number | null };
      series: { days: unknown[] };
    };
    const expected = await api<Impact>(`/v1/impact?${query}`, leadership);
    const page = await openPage(browser, stack.apiUrl, leadership, '#/overview');
    await page.waitForSelector('[data-view="overview"]');

    const kpi = (id: string) => page.locator(`[data-kpi="${id}"] .value`).textContent();
    expect(await kpi('lossPrevented')).toBe(
      money(expected.shrink.lossPreventedCents as number, expected.currency),
    );
    expect(await kpi('lossDetected')).toBe(
      money(expected.shrink.lossDetectedCents as number, expected.currency),
    );
    expect(await kpi('confirmedLoss')).toBe(
      money(expected.shrink.confirmedLossCents as number, expected.currency),
    );
    expect(await kpi('falsePositiveRate')).toBe(
      share(expected.shrink.falsePositiveRate as number | null),
    );
    expect(await kpi('hoursSaved')).toBe(hours(expected.hoursSaved.hoursSaved));
    expect(await kpi('automatedShare')).toBe(share(expected.hoursSaved.automatedShare));
    // Three charts, each with its table; the daily table has a row per day of the period.
    expect(await page.locator('[data-chart] canvas').count()).toBe(3);
    expect(await page.locator('[data-chart] details table').count()).toBe(3);
    await page.locator('[data-chart="loss-over-time"] summary').click();
    expect(await page.locator('[data-chart="loss-over-time"] tbody tr').count()).toBe(
      expected.series.days.length,
    );
    // Net impact: the API's net figure, and every assumption it rests on, on the page.
    type Net = {
      netImpactCents: number;
      assumptions: { costSource: string; costSourceDetail: string; proration: string };
    };
    const net = await api<Net>(`/v1/net-impact?${query}`, leadership);
    const panel = page.locator('[data-panel="net-impact"]');
    expect(await panel.locator('[data-net]').getAttribute('data-net')).toBe(
      String(net.netImpactCents),
    );
    expect(await panel.locator('[data-net]').textContent()).toBe(
      money(net.netImpactCents, expected.currency),
    );
    expect(await panel.locator('[data-cost-source]').getAttribute('data-cost-source')).toBe(
      net.assumptions.costSource,
    );
    const assumptions = await panel.locator('.assumptions').textContent();
    expect(assumptions).toContain(net.assumptions.costSourceDetail);
    expect(assumptions).toContain(net.assumptions.proration);
    await screenshot(page, 'overview-leadership');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('ranks stores as the API does, re-sorts, and drills down into a store', async () => {
    const { query } = period();
    type Board = { currency: string; stores: { storeId: string; lossPreventedCents: number }[] };
    const board = await api<Board>(`/v1/stores?${query}&limit=25`, leadership);
    const page = await openPage(browser, stack.apiUrl, leadership, '#/stores');
    await page.waitForSelector('[data-view="stores"]');

    const rows = page.locator('tbody tr[data-store]');
    expect(await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-store')))).toEqual(
      board.stores.map((s) => s.storeId),
    );
    await screenshot(page, 'stores-leaderboard');

    await page.locator('button[data-sort="lossPrevented"]').click();
    await page.waitForSelector('th[aria-sort="ascending"]');
    const ascending = await page
      .locator('tbody tr[data-store]')
      .evaluateAll((r) => r.map((e) => e.getAttribute('data-store')));
    const asc = await api<Board>(`/v1/stores?${query}&limit=25&order=asc`, leadership);
    expect(ascending).toEqual(asc.stores.map((s) => s.storeId));

    const first = board.stores[0] as { storeId: string };
    await page.locator(`tr[data-store="${first.storeId}"] a`).click();
    await page.waitForSelector(`[data-view="store"][data-store="${first.storeId}"]`);
    type Shrink = { currency: string; total: { lossPreventedCents: number; detections: number } };
    const store = await api<Shrink>(`/v1/stores/${first.storeId}/shrink?${query}`, leadership);
    expect(await page.locator('[data-kpi="lossPrevented"] .value').textContent()).toBe(
      money(store.total.lossPreventedCents, store.currency),
    );
    expect(await page.locator('[data-kpi="detections"] .value').textContent()).toBe(
      count(store.total.detections),
    );
    expect(await page.locator('[data-chart="store-by-category"] canvas').count()).toBe(1);
    await screenshot(page, 'store-drill-down');
    await page.close();
  });

  it('shows leadership hours saved by team and week', async () => {
    const { query } = period();
    const teams = await api<{ teams: { teamId: string; hoursSaved: number }[] }>(
      `/v1/teams?${query}`,
      leadership,
    );
    const page = await openPage(browser, stack.apiUrl, leadership, '#/teams');
    await page.waitForSelector('[data-view="teams"]');

    for (const t of teams.teams) {
      expect(await page.locator(`tr[data-team="${t.teamId}"] td`).first().textContent()).toBe(
        hours(t.hoursSaved),
      );
    }
    await screenshot(page, 'teams');
    await page.close();
  });

  it("keeps a store manager to its store: no other store's figures, no team view", async () => {
    const page = await openPage(browser, stack.apiUrl, storeManager, '#/stores');
    await page.waitForSelector('[data-view="stores"]');
    expect(
      await page
        .locator('tbody tr[data-store]')
        .evaluateAll((r) => r.map((e) => e.getAttribute('data-store'))),
    ).toEqual(['store-0001']);
    expect(await page.locator('nav a[href="#/teams"]').count()).toBe(0);
    expect(await page.locator('#region').count()).toBe(0);
    await screenshot(page, 'stores-store-manager');

    await page.goto(`${stack.apiUrl}/#/stores/store-0002`);
    await page.waitForSelector('[data-state="error"][data-status="403"]');
    expect(await page.locator('[data-view="store"]').count()).toBe(0);
    expect(await page.locator('[data-kpi]').count()).toBe(0);
    await screenshot(page, 'store-manager-refused');

    await page.goto(`${stack.apiUrl}/#/teams`);
    await page.waitForSelector('[data-view="overview"]');
    expect(await page.locator('[data-kpi="hoursSaved"]').count()).toBe(0);
    await page.close();
  });

  it("shows a store's hour-of-day heat map with the API's figures and its read cost", async () => {
    // Prepare: the default period is 30 days, within the route's 31.
    const { query } = period();
    type Hours = {
      hours: { hour: number; detections: number }[];
      cost: { itemsRead: number; readUnits: number };
    };
    const want = await api<Hours>(`/v1/hour-of-day?${query}&storeId=store-0001`, leadership);
    expect(want.hours.some((h) => h.detections > 0)).toBe(true);

    // Act
    const page = await openPage(browser, stack.apiUrl, leadership, '#/stores/store-0001');
    const panel = page.locator('[data-panel="hour-of-day"]');
    await panel.waitFor();

    // Assess
    const rows = panel.locator('tbody tr[data-hour]');
    expect(await rows.count()).toBe(24);
    const busiest = want.hours.reduce((a, b) => (b.detections > a.detections ? b : a));
    const cells = await rows
      .nth(busiest.hour)
      .locator('td')
      .evaluateAll((tds) => tds.map((td) => td.textContent ?? ''));
    const categoryCells = cells.slice(0, -2).map((c) => Number(c.replace(/,/g, '')));
    expect(categoryCells.reduce((a, b) => a + b, 0)).toBe(busiest.detections);
    expect(await panel.locator('td.heat-4').count()).toBeGreaterThan(0);
    expect(await panel.locator('[data-read-cost]').getAttribute('data-read-cost')).toBe(
      String(want.cost.readUnits),
    );
    expect(await panel.locator('.read-cost').textContent()).toContain(
      `${want.cost.readUnits} read units`,
    );
    expect(page.errors).toEqual([]);
    await screenshot(page, 'store-hour-of-day');
    await page.close();
  });

  it("shows coverage beside a store's figures, marks the days with a gap on the charts and the leaderboard, and lists stores with lanes missing in the Fleet view, worst first, in scope", async () => {
    // Prepare: store-0001's fleet health, as the processor keeps it from its daemons'
    // statuses: three lanes registered, lane 01 heard a minute ago, lane 02 silent for three
    // hours (a gap on the day of its silence's middle, whatever the time of day).
    type Store = { region: string };
    const { region } = await api<Store>(
      `/v1/stores/store-0001/shrink?${period().query}`,
      leadership,
    );
    const now = Date.now();
    const status = (lane: string, at: number, seq: number) => ({
      event: {
        schemaVersion: 1 as const,
        type: 'device_status' as const,
        eventId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
        deviceId: `panel-store-0001-${lane}`,
        occurredAt: new Date(at).toISOString(),
        seq,
        storeId: 'store-0001',
        spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
        daemonVersion: '0.1.0',
        models: [],
      },
      arrivedAt: at,
      kind: 'panel' as const,
    });
    const health = mergeStatuses(
      undefined,
      { storeId: 'store-0001', region, timeZone: 'UTC', lanes: 3 },
      [status('lane-01', now - 60_000, 1), status('lane-02', now - 3 * 3_600_000, 2)],
      now,
    ).next;
    await new DynamoDbFleetHealth(stack.dynamodb, TABLES.aggregates.localName).put(health);

    // Act and assess: the store page says how complete its figures are.
    const page = await openPage(browser, stack.apiUrl, leadership, '#/stores/store-0001');
    await page.waitForSelector('[data-view="store"]');
    const line = await page.locator('[data-coverage]').textContent();
    expect(await page.locator('[data-coverage]').getAttribute('data-coverage')).toBe('gap');
    expect(line).toContain('1 of 3 lanes reporting; complete through');
    expect(line).toContain('Silent: panel-store-0001-lane-02');
    const gapDay = new Date(now - 1.5 * 3_600_000).toISOString().slice(0, 10);
    const storeChart = page.locator('[data-chart="store-loss"]');
    expect(
      (await storeChart.locator('[data-gap-days]').getAttribute('data-gap-days'))?.split(' '),
    ).toContain(gapDay);
    expect(await storeChart.locator('tbody tr', { hasText: gapDay }).textContent()).toContain(
      'gap: a lane not reporting',
    );
    await screenshot(page, 'store-coverage');

    // The overview says what its totals cover: the store with a silent device is a gap.
    await page.goto(`${stack.apiUrl}/#/overview`);
    await page.waitForSelector('[data-view="overview"] [data-coverage]');
    expect(
      await page.locator('[data-view="overview"] [data-coverage]').getAttribute('data-coverage'),
    ).toBe('gap');
    expect(await page.locator('[data-view="overview"] [data-coverage]').textContent()).toMatch(
      /^1 of 3 lanes reporting in 1 of 1 stores; 1 stores with lanes not reporting/,
    );
    const overviewChart = page.locator('[data-chart="loss-over-time"]');
    expect(
      (await overviewChart.locator('[data-gap-days]').getAttribute('data-gap-days'))?.split(' '),
    ).toContain(gapDay);
    expect(await overviewChart.locator('tbody tr', { hasText: gapDay }).textContent()).toContain(
      'gap: 1 store',
    );

    // The leaderboard gives each store its coverage now.
    await page.goto(`${stack.apiUrl}/#/stores`);
    const row = page.locator('table.leaderboard tr[data-store="store-0001"]');
    await row.waitFor();
    expect(await row.locator('[data-coverage]').getAttribute('data-coverage')).toBe('gap');
    expect(await row.locator('[data-coverage]').textContent()).toMatch(
      /^1 of 3 lanes ▲ \d+ days? with a gap$/,
    );

    // The Fleet view: leadership names a region, then sees the store that needs attention.
    await page.goto(`${stack.apiUrl}/#/fleet`);
    await page.waitForSelector('[data-view="fleet"][data-state="choose-region"]');
    await page.goto(`${stack.apiUrl}/#/fleet?region=${encodeURIComponent(region)}`);
    await page.waitForSelector('[data-view="fleet"] tbody tr[data-store]');
    const fleet = await api<{ stores: { storeId: string }[] }>(
      `/v1/fleet/health?region=${encodeURIComponent(region)}&limit=200`,
      leadership,
    );
    expect(
      await page
        .locator('[data-view="fleet"] tbody tr[data-store]')
        .evaluateAll((r) => r.map((e) => e.getAttribute('data-store'))),
    ).toEqual(fleet.stores.map((st) => st.storeId));
    expect(
      await page.locator('[data-view="fleet"] tbody tr[data-store="store-0001"]').textContent(),
    ).toContain('panel-store-0001-lane-02');
    expect(
      await page
        .locator('[data-view="fleet"] tbody tr[data-store="store-0001"] td')
        .first()
        .textContent(),
    ).toBe('1 of 3');
    await screenshot(page, 'fleet');
    await page.close();

    // A store manager of another store does not see it.
    const other = await stack.issuer.sign(
      { sub: 'mgr2', 'custom:role': 'store_manager', 'custom:stores': 'store-0002' },
      900,
    );
    const theirs = await openPage(browser, stack.apiUrl, other, '#/fleet');
    await theirs.waitForSelector('[data-view="fleet"]');
    expect(await theirs.locator('tr[data-store="store-0001"]').count()).toBe(0);
    await theirs.close();
  });

  it('refreshes the overview by itself while events stream in', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    await page.addInitScript(
      `sessionStorage.setItem('impact.idToken', ${JSON.stringify(leadership)});`,
    );
    // The page's refresh interval comes from config.json; a test cannot wait 15 s per check.
    await page.route('**/config.json', (route) =>
      route.fulfill({ json: { auth: { kind: 'dev' }, refreshSeconds: 1 } }),
    );
    await page.goto(`${stack.apiUrl}/#/overview`);
    await page.waitForSelector('[data-view="overview"]');
    const detected = () => page.locator('[data-kpi="lossDetected"] .value').textContent();
    const before = await detected();

    const { truth } = await runLocalSimulation({
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      stores: 5,
      rate: 3_000,
      seed: 4,
      maxEvents: 300,
      baselines: DEFAULT_BASELINES,
      truthFile: join(dirs[0] as string, 'simulator', 'ground-truth.json'),
      spoolDir: join(dirs[0] as string, 'simulator', 'spool'),
    });

    // No reload, no click: the figure moves to the API's new total on its own.
    await eventually(async () => {
      const body = await api<{ currency: string; shrink: { lossDetectedCents: number } }>(
        `/v1/impact?${period().query}`,
        leadership,
      );
      expect(body.shrink.lossDetectedCents).toBe(truth.shrink.lossDetectedCents);
      expect(await detected()).toBe(money(body.shrink.lossDetectedCents, body.currency));
    });
    expect(await detected()).not.toBe(before);
    await page.close();
  });

  it('asks for a token when signed out, and signs in with a pasted one', async () => {
    const page = await openPage(browser, stack.apiUrl, undefined, '#/overview');
    await page.waitForSelector('[data-state="signed-out"]');
    await page.locator('#token').fill(leadership);
    await page.locator('[data-state="signed-out"] button[type="submit"]').click();
    await page.waitForSelector('[data-view="overview"]');
    await screenshot(page, 'signed-in');
    await page.close();
  });
});
