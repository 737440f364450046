import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { REGISTRY } from '../helpers/factories.js';
import { forgottenDevices } from '../helpers/forgotten-devices.js';

/**
 * The forgotten-device scenario of tests/integration/dead-letter-replay.test.ts, through the
 * ops API over HTTP on the embedded stack: lane 09 was never registered (its signed records
 * are dead-lettered as unknown_key) and lane 08's event comes through the registered store
 * gateway (dead-lettered as unknown_device beside lane 01's, which counts). The live processor
 * (the stack's event-source poller) judges them; after the devices are registered, a dry run
 * and a confirmed replay make the figures exact, and a second replay changes nothing.
 */
let stack: EmbeddedStack;
let dataDir: string;
let operator: string;
let leadership: string;

const NOW = Date.now();
const AT = NOW - 10 * 60_000;
const TODAY = new Date(NOW).toISOString().slice(0, 10);
const EARLIER = new Date(NOW - 3 * 86_400_000).toISOString().slice(0, 10);
const STORE_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(AT);

const scenario = forgottenDevices(AT);
const STORE = scenario.store;
const ALL = scenario.all;
const TRUE_LOSS = scenario.trueLossCents;
const records = scenario.records;

type Body = Record<string, unknown>;

async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Body,
  };
}
const replay = (body: unknown, token = operator) =>
  call('POST', '/v1/ops/dead-letters/replay', token, body);

/** The store's and the organisation's figures for the store date, through the impact API. */
async function figures() {
  const res = await call('GET', `/v1/impact?from=${STORE_DATE}&to=${STORE_DATE}`, leadership);
  expect(res.status).toBe(200);
  const shrink = res.body.shrink as { detections: number; lossDetectedCents: number };
  return { detections: shrink.detections, lossDetectedCents: shrink.lossDetectedCents };
}

const outcomes = (body: Body) =>
  new Set((body.results as { outcome: string }[]).map((r) => r.outcome));

/** Waits until the live processor has dead-lettered the forgotten devices' records. */
async function untilDeadLettered(letters: number) {
  for (let attempt = 0; attempt < 600; attempt++) {
    const res = await call('GET', `/v1/ops/dead-letters?from=${TODAY}&to=${TODAY}`, operator);
    if ((res.body.letters as unknown[] | undefined)?.length === letters) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the processor did not dead-letter ${letters} letters`);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-ops-replay-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    archive: false,
    shardCount: 1,
  });
  operator = await stack.issuer.sign({ sub: 'on-call', 'custom:role': 'operator' }, 900);
  leadership = await stack.issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 900);
  await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values()],
  });
  await stack.kinesis.send(
    new PutRecordsCommand({
      StreamName: TELEMETRY_STREAM.localName,
      Records: records().map((Data) => ({ Data, PartitionKey: STORE })),
    }),
  );
  // Lane 09's three records (unknown_key) and the gateway record's lane 08 (unknown_device).
  await untilDeadLettered(4);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Integration: replay through the ops API over HTTP on the embedded stack', () => {
  const range = { from: TODAY, to: TODAY };
  let plan: Body;

  it('plans by default: the four letters, their records in the stream, a confirm token; nothing changes', async () => {
    expect(await figures()).toEqual({ detections: 3, lossDetectedCents: 900 });

    const dry = await replay(range);

    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dryRun: true,
      letters: 4,
      records: { wanted: 4, stream: 4, archive: 0, notFound: 0 },
      counted: 0,
      selection: { by: 'range', period: range, truncated: false, missing: [] },
    });
    expect(outcomes(dry.body)).toEqual(new Set(['would_replay']));
    expect(dry.body.confirm).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((dry.body.notes as string[])[0]).toContain('"dryRun": false');
    expect(await figures()).toEqual({ detections: 3, lossDetectedCents: 900 });
    plan = dry.body;
  });

  it('refuses to replay without the confirm token (400) or with a wrong one (409), changing nothing', async () => {
    const missing = await replay({ ...range, dryRun: false });
    const wrong = await replay({ ...range, dryRun: false, confirm: `sha256:${'0'.repeat(64)}` });

    expect(missing.status).toBe(400);
    expect(missing.type).toBe('application/problem+json');
    expect(missing.body.detail).toMatch(/^confirm: .*dry-run this selection first/);
    expect(wrong.status).toBe(409);
    expect(wrong.type).toBe('application/problem+json');
    expect(wrong.body.detail).toMatch(/dry-run again/);
    expect(await figures()).toEqual({ detections: 3, lossDetectedCents: 900 });
  });

  it('refuses a leadership token the replay and the status (403), changing nothing', async () => {
    const lead = await replay({ ...range, dryRun: false, confirm: plan.confirm }, leadership);
    const status = await call('GET', '/v1/ops/pipeline-status', leadership);

    expect(lead.status).toBe(403);
    expect(lead.body.detail).toBe('the ops routes answer operator tokens only');
    expect(status.status).toBe(403);
    expect(await figures()).toEqual({ detections: 3, lossDetectedCents: 900 });
  });

  it('after registering the devices, the confirmed plan counts their events once: the figures are exact', async () => {
    // Prepare: the fix. The selection is unchanged, so the plan's token still holds.
    await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
      devices: scenario.registrations(),
    });

    // Act
    const done = await replay({ ...range, dryRun: false, confirm: plan.confirm });

    // Assess: lane 09's three and lane 08's one; the gateway record's lane 01 event had counted.
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      dryRun: false,
      letters: 4,
      counted: 4,
      duplicates: 1,
      deadLettered: 0,
      confirm: plan.confirm,
    });
    expect(outcomes(done.body)).toEqual(new Set(['counted']));
    expect(await figures()).toEqual({ detections: ALL.length, lossDetectedCents: TRUE_LOSS });
  });

  it('a second replay changes nothing: the range has no letter left, and the same ids are all duplicates', async () => {
    // The plan's token is stale now: the letters it named are counted, so the range is empty.
    const stale = await replay({ ...range, dryRun: false, confirm: plan.confirm });
    const byRange = await replay(range);
    const ids = (plan.results as { id: string }[]).map((r) => r.id);
    const byIds = await replay({ ids });
    const again = await replay({ ids, dryRun: false, confirm: byIds.body.confirm });

    expect(stale.status).toBe(409);
    expect(byRange.body).toMatchObject({ letters: 0, results: [] });
    expect(byIds.body.confirm).toBe(plan.confirm);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ counted: 0, duplicates: 5, deadLettered: 0 });
    expect(await figures()).toEqual({ detections: ALL.length, lossDetectedCents: TRUE_LOSS });
  });

  it('answers not_found for a letter whose record is not in the stream, and points to the CLI', async () => {
    // Prepare: a letter of a record the stream does not hold (left it, in AWS, after 7 days).
    await new DynamoDbDeadLetters(stack.dynamodb, TABLES.deadLetters.localName).put([
      {
        position: { shardId: 'shardId-000000000000', sequenceNumber: '4960', subSequenceNumber: 0 },
        reason: 'unknown_device',
        detail: 'device panel-x is not registered',
        arrivedAt: `${EARLIER}T10:00:00.000Z`,
        sizeBytes: 400,
        count: 1,
        deviceId: 'panel-x',
      },
    ]);
    const id = `${EARLIER}/shardId-000000000000/4960/0`;

    const dry = await replay({ ids: [id] });
    const done = await replay({ ids: [id], dryRun: false, confirm: dry.body.confirm });

    expect(dry.body.records).toEqual({ wanted: 1, stream: 0, archive: 0, notFound: 1 });
    expect(done.status).toBe(200);
    expect(outcomes(done.body)).toEqual(new Set(['not_found']));
    expect((done.body.notes as string[]).join(' ')).toMatch(
      /left the stream.*npm run dead-letters -- replay ID\.\.\. --source archive/,
    );
  });

  it('answers bad bodies with 400 problems naming the field', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `${TODAY}/shardId-000000000000/${i}/0`);
    const both = await replay({ ids: [`${TODAY}/shardId-000000000000/1/0`], from: TODAY });
    const many = await replay({ ids: tooMany });
    const bad = await replay({ ids: ['../../etc/passwd'] });

    for (const res of [both, many, bad]) {
      expect(res.status).toBe(400);
      expect(res.type).toBe('application/problem+json');
    }
    expect(both.body.detail).toMatch(/^ids: give ids or a range/);
    expect(many.body.detail).toMatch(/^ids: /);
    expect(bad.body.detail).toMatch(/^ids\.0: not a dead-letter id/);
  });
});

describe('Integration: pipeline status through the ops API', () => {
  it("answers the local stream's shards, the processor's last batch and the day's dead letters", async () => {
    const res = await call('GET', '/v1/ops/pipeline-status', operator);

    expect(res.status).toBe(200);
    expect(res.body.stream).toBe(TELEMETRY_STREAM.localName);
    const shards = res.body.shards as { shardId: string; state: string; status?: Body }[];
    expect(shards.map((s) => s.shardId)).toEqual(['shardId-000000000000']);
    expect(shards[0]?.status).toMatchObject({ shardId: 'shardId-000000000000' });
    expect(['ok', 'quiet']).toContain(shards[0]?.state);
    const perHour = res.body.deadLettersPerHour as { letters: number }[];
    expect(perHour).toHaveLength(24);
    expect(perHour.reduce((sum, h) => sum + h.letters, 0)).toBe(4);
    expect(res.body.deadLettersTruncated).toBe(false);
  });
});
