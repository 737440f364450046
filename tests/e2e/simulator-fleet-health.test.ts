import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFleet, type ShrinkTruth, type SimStore } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { runLocalSimulation, type SimulationTopology } from '../../infra/local/local-simulation.js';
import { eventually } from '../helpers/eventually.js';

/**
 * What `npm start` shows on a fresh stack: the simulated lane PCs and store gateways report
 * their own status, so every store is in fleet health and the totals say what they cover,
 * while the figures stay exactly the simulator's ground truth (statuses never count). One
 * stack (its handlers' endpoints are process-wide): the direct topology's run simulates the
 * first two stores, the gateway topology's the first four, so stores 3 and 4 are heard only
 * through gateways.
 */
const SEED = 7;
let stack: EmbeddedStack;
let dataDir: string;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-simfleet-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
  });
  token = await stack.issuer.sign({ sub: 'e2e', 'custom:role': 'leadership' }, 600);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** A short run whose devices report every second; the ground truth adds up over runs. */
function simulate(stores: number, topology: SimulationTopology) {
  return runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores,
    rate: 200,
    seed: SEED,
    durationMs: 2_500,
    baselines: DEFAULT_BASELINES,
    truthFile: join(dataDir, 'simulator', 'ground-truth.json'),
    spoolDir: join(dataDir, 'simulator', 'spool'),
    topology,
    statuses: { intervalMs: 1_000 },
  });
}

/** Each store, under its region, knows its lanes and its gateway, all of them reporting. */
async function expectReporting(stores: readonly SimStore[]) {
  for (const store of stores) {
    await eventually(async () => {
      const health = await get<{
        stores: { storeId: string; known: number; reporting: number; silent: unknown[] }[];
      }>(`/v1/fleet/health?region=${store.region}&only=all`);
      const n = store.lanes.length;
      expect(health.stores.find((s) => s.storeId === store.storeId)).toMatchObject({
        known: n + 1,
        reporting: n + 1,
        silent: [],
        // Registered with its lane count: every lane of it reports, the gateway is none.
        lanes: { registered: n, known: n, reporting: n, missing: 0 },
      });
    });
  }
}

/** The totals cover these stores' devices, and equal the ground truth, which holds no status. */
async function expectCoverage(stores: readonly SimStore[], shrink: ShrinkTruth) {
  const day = (offset: number) =>
    new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await eventually(async () => {
    const impact = await get<{
      shrink: Record<string, unknown>;
      coverage: { stores: number; storesReporting: number; devicesKnown: number };
    }>(`/v1/impact?from=${day(-2)}&to=${day(1)}`);
    const lanes = stores.reduce((n, s) => n + s.lanes.length, 0);
    expect(impact.coverage).toMatchObject({
      stores: stores.length,
      storesReporting: stores.length,
      devicesKnown: lanes + stores.length,
      lanesRegistered: lanes,
      lanesReporting: lanes,
      storesWithoutLaneCount: 0,
    });
    expect(impact.shrink).toMatchObject(shrink);
  });
}

describe('Local simulator: its devices report their status, on the embedded stack', () => {
  it('shows every store of a direct run in fleet health and in the coverage, the figures unchanged', async () => {
    // Act
    const { sent, truth } = await simulate(2, 'direct');

    // Assess
    const stores = defineFleet({ stores: 2, seed: SEED }).stores;
    await expectReporting(stores);
    await expectCoverage(stores, truth.shrink);
    expect(truth.eventsSent).toBe(sent);
  });

  it('shows the stores of a gateway run too, their lanes heard through their gateways', async () => {
    // Act
    const { truth } = await simulate(4, 'gateway');

    // Assess
    const stores = defineFleet({ stores: 4, seed: SEED }).stores;
    await expectReporting(stores.slice(2));
    await expectCoverage(stores, truth.shrink);
  });
});
