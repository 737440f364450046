import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth, ShrinkTruth } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { readPlan } from '../../infra/local/backfill.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import { eventually } from '../helpers/eventually.js';

/**
 * A first `npm start`'s history on the embedded stack: a 3-day backfill of 2 stores goes
 * through the edge client, Kinesis, the poller and the processor, and the API's store days
 * equal the ground truth exactly; a restart on the same data folder sends nothing again, and
 * one that finds the plan unfinished (a kill after spooling, before marking it done) sends it
 * all again without doubling a figure.
 */
const SEED = 5;
const STORES = 2;
const DAYS = 3;
let stack: EmbeddedStack;
let dataDir: string;
let token: string;
const truthFile = () => join(dataDir, 'simulator', 'ground-truth.json');
const planFile = () => join(dataDir, 'simulator', 'history.json');

const portOf = (url: string) => Number(new URL(url).port);

/** The stack; a restart takes the first one's ports (the handlers' clients are process-wide). */
const startStack = async () => {
  const ports =
    stack === undefined
      ? { api: 0, kinesis: 0, dynamodb: 0 }
      : {
          api: portOf(stack.apiUrl),
          kinesis: portOf(stack.kinesisEndpoint),
          dynamodb: portOf(stack.dynamodbEndpoint),
        };
  stack = await startEmbeddedStack({
    dataDir,
    ports,
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
  });
  token = await stack.issuer.sign({ sub: 'e2e', 'custom:role': 'leadership' }, 600);
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-history-'));
  await startStack();
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const simulate = (onSpooled?: (events: number) => void) =>
  runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores: STORES,
    rate: 50,
    seed: SEED,
    maxEvents: 20,
    baselines: DEFAULT_BASELINES,
    truthFile: truthFile(),
    spoolDir: join(dataDir, 'simulator', 'spool'),
    backfill: {
      days: DAYS,
      planFile: planFile(),
      detectionsPerStoreDay: 40,
      ...(onSpooled !== undefined && { onSpooled }),
    },
  });

type Series = { total: ShrinkTruth; series: ({ period: string } & ShrinkTruth)[] };

/** Every backfilled store day of the truth, as the API answers it, equals the truth. */
async function expectStoreDaysEqualTruth(truth: GroundTruth) {
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - (DAYS + 2) * 86_400_000).toISOString().slice(0, 10);
  let days = 0;
  for (const [storeId, byDay] of Object.entries(truth.storeDays)) {
    await eventually(async () => {
      const res = await fetch(
        `${stack.apiUrl}/v1/stores/${storeId}/shrink?from=${from}&to=${today}&granularity=day`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as Series;
      for (const [date, expected] of Object.entries(byDay)) {
        const bucket = body.series.find((b) => b.period === date);
        expect(bucket, `${storeId} ${date}`).toMatchObject(expected);
      }
    }, 90_000);
    days += Object.keys(byDay).length;
  }
  return days;
}

describe('Local history: a first run backfills the last days through the pipeline', () => {
  it('counts every backfilled store day exactly as the ground truth says', async () => {
    // Act
    const started = performance.now();
    await simulate();
    const truth = JSON.parse(readFileSync(truthFile(), 'utf8')) as GroundTruth;

    // Assess: the backfill's days (3 before today per store) plus today's live events.
    const days = await expectStoreDaysEqualTruth(truth);
    expect(days).toBeGreaterThanOrEqual(STORES * DAYS);
    expect(readPlan(planFile())).toMatchObject({ days: DAYS, done: true, truthRunsBefore: 0 });
    expect(truth.runs).toBe(2);
    console.log(
      `history: ${truth.eventsSent} events counted in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });

  it('sends nothing again after a restart, and a resend of an unfinished plan doubles nothing', {
    timeout: 180_000,
  }, async () => {
    // Prepare: a restart of the stack on the same data folder.
    const before = JSON.parse(readFileSync(truthFile(), 'utf8')) as GroundTruth;
    await stack.stop();
    await startStack();

    // Act: a restart, then one that finds the plan unfinished (killed before marking it done).
    const spooled: number[] = [];
    const restarted = await simulate((n) => spooled.push(n));
    const plan = readPlan(planFile());
    writeFileSync(planFile(), JSON.stringify({ ...plan, done: false }));
    const resent = await simulate((n) => spooled.push(n));

    // Assess: each restart's live run adds its own events to the truth; the backfill's
    // figures are in it once, and the API's store days still equal it.
    const truth = JSON.parse(readFileSync(truthFile(), 'utf8')) as GroundTruth;
    expect(truth.runs).toBe(before.runs + 2);
    expect(truth.eventsSent).toBe(before.eventsSent + restarted.sent + resent.sent);
    expect(readPlan(planFile())?.done).toBe(true);
    // The first restart sent no history; the second sent all of it again.
    expect(spooled).toHaveLength(1);
    expect(spooled[0]).toBeGreaterThan(STORES * DAYS * 20);
    await expectStoreDaysEqualTruth(truth);
  });
});
