import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { type DaemonProcess, spawnDaemon } from '../helpers/daemon-process.js';
import { eventually } from '../helpers/eventually.js';

const STORE = 'store-e2e-1';
const PANEL = 'panel-store-e2e-1-lane-01';

let stack: EmbeddedStack;
let dataDir: string;
let daemon: DaemonProcess;
let leadership: string;

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = `from=${day(-1)}&to=${day(1)}`;

/** A detection as the vision process posts it to its panel PC's daemon: no deviceId, no seq. */
function detection(extra: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    type: 'detection',
    occurredAt: new Date(now).toISOString(),
    storeId: STORE,
    detectionId: ulid(now),
    laneId: 'lane-01',
    category: 'walkout',
    confidence: 0.9,
    estimatedLossCents: 1_000,
    model: { name: 'shrink-vision', version: '4.2.1' },
    ...extra,
  };
}

async function post(events: unknown[]) {
  const res = await fetch(`${daemon.url}/events`, {
    method: 'POST',
    body: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function storeDetections(): Promise<number> {
  const res = await fetch(`${stack.apiUrl}/v1/stores/${STORE}/shrink?${PERIOD}`, {
    headers: { authorization: `Bearer ${leadership}` },
  });
  const body = (await res.json()) as { total?: { detections: number } };
  return body.total?.detections ?? 0;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-identity-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
    archive: false,
  });
  leadership = await stack.issuer.sign({ sub: 'e2e', 'custom:role': 'leadership' }, 600);
  await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
    stores: [{ storeId: STORE, region: 'e2e', timeZone: 'UTC' }],
    devices: [{ deviceId: PANEL, kind: 'panel', storeId: STORE }],
  });
  const configFile = join(dataDir, 'edge.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      streamName: TELEMETRY_STREAM.localName,
      endpoint: stack.kinesisEndpoint,
      region: 'us-east-1',
      deviceId: PANEL,
      spool: { dir: join(dataDir, 'edge-spool') },
      http: { port: 0 },
      stdin: false,
      statusIntervalMs: 60_000,
    }),
  );
  daemon = await spawnDaemon(configFile);
}, 60_000);

afterAll(async () => {
  daemon?.child.kill('SIGTERM');
  await daemon?.exited;
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('End to end: a panel daemon owns the deviceId and seq of what it sends', () => {
  it("refuses a caller's seq loudly, so two detections with one seq can never drop each other", async () => {
    // Prepare: two detections that once shared seq 424242 in one store slot (one was counted).
    const before = await storeDetections();
    const pair = [detection(), detection()];

    // Act
    const withSeq = await post(pair.map((d) => ({ ...d, seq: 424_242 })));
    const asAnother = await post([{ ...pair[0], deviceId: 'panel-store-0001-lane-01' }]);
    const owned = await post(pair);

    // Assess
    expect(withSeq.status).toBe(400);
    expect(withSeq.body.errors).toEqual([
      { name: 'seq', reason: 'assigned by the edge client; omit it', index: 0, line: 1 },
    ]);
    expect(asAnother.status).toBe(400);
    expect((asAnother.body.errors as { name: string }[]).map((e) => e.name)).toEqual(['deviceId']);
    expect(owned.status).toBe(202);
    await eventually(async () => expect(await storeDetections()).toBe(before + 2));
  });
});
