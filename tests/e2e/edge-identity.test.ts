import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { type DaemonProcess, spawnDaemon, writeSigningKeyFile } from '../helpers/daemon-process.js';
import { eventually } from '../helpers/eventually.js';
import { TEST_KEY_ID, testKey, testKeys } from '../helpers/factories.js';
import { allItems } from '../helpers/local-dynamodb.js';

const STORE = 'store-e2e-1';
const PANEL = 'panel-store-e2e-1-lane-01';
/** Two stores' lanes, as in the hostile test: store-0001's key is the stolen one. */
const VICTIM_STORE = 'store-0002';
const VICTIM = 'panel-store-0002-lane-01';
const THIEF_STORE = 'store-0001';
const THIEF = 'panel-store-0001-lane-01';

let stack: EmbeddedStack;
let dataDir: string;
let daemon: DaemonProcess;
let leadership: string;

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = `from=${day(-1)}&to=${day(1)}`;

/** A detection as the vision process posts it to its panel PC's daemon: no deviceId, no seq. */
function detection(extra: Record<string, unknown> = {}, storeId = STORE) {
  const now = Date.now();
  return {
    type: 'detection',
    occurredAt: new Date(now).toISOString(),
    storeId,
    detectionId: ulid(now),
    laneId: 'lane-01',
    category: 'walkout',
    confidence: 0.9,
    estimatedLossCents: 1_000,
    model: { name: 'shrink-vision', version: '4.2.1' },
    ...extra,
  };
}

async function post(events: unknown[], to: DaemonProcess = daemon) {
  const res = await fetch(`${to.url}/events`, {
    method: 'POST',
    body: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function storeDetections(storeId = STORE): Promise<number> {
  const res = await fetch(`${stack.apiUrl}/v1/stores/${storeId}/shrink?${PERIOD}`, {
    headers: { authorization: `Bearer ${leadership}` },
  });
  const body = (await res.json()) as { total?: { detections: number } };
  return body.total?.detections ?? 0;
}

/** The dead letters that name any of `eventIds`: each event id's letter's reason and signer. */
async function lettersOf(eventIds: readonly string[]) {
  const wanted = new Set(eventIds);
  const found = new Map<string, { reason?: string; deviceId?: string }>();
  for (const item of await allItems(stack.dynamodb, TABLES.deadLetters.localName)) {
    const ids = [item.eventId?.S, ...(item.eventIds?.L ?? []).map((v) => v.S)];
    for (const id of ids)
      if (id !== undefined && wanted.has(id))
        found.set(id, {
          ...(item.reason?.S !== undefined && { reason: item.reason.S }),
          ...(item.deviceId?.S !== undefined && { deviceId: item.deviceId.S }),
        });
  }
  return found;
}

/** A panel PC's daemon of its own process, as `deviceId`, signing with `signing` if given. */
async function startDaemon(
  name: string,
  deviceId: string,
  signing?: { keyId: string; key: KeyObject },
): Promise<DaemonProcess> {
  const configFile = join(dataDir, `${name}.json`);
  writeFileSync(
    configFile,
    JSON.stringify({
      streamName: TELEMETRY_STREAM.localName,
      endpoint: stack.kinesisEndpoint,
      region: 'us-east-1',
      deviceId,
      spool: { dir: join(dataDir, `${name}-spool`) },
      http: { port: 0 },
      stdin: false,
      statusIntervalMs: 60_000,
      ...(signing !== undefined && {
        signing: {
          keyId: signing.keyId,
          keyFile: writeSigningKeyFile(join(dataDir, `${name}-signing.pem`), signing.key),
        },
      }),
    }),
  );
  const started = await spawnDaemon(configFile);
  daemons.push(started);
  return started;
}

const daemons: DaemonProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-identity-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
    archive: false,
    // As deployed, whatever the local stack's migration setting: unsigned records are refused.
    unsignedRecords: 'refuse',
  });
  leadership = await stack.issuer.sign({ sub: 'e2e', 'custom:role': 'leadership' }, 600);
  await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
    stores: [STORE, THIEF_STORE, VICTIM_STORE].map((storeId) => ({
      storeId,
      region: 'e2e',
      timeZone: 'UTC',
    })),
    devices: [
      [PANEL, STORE],
      [THIEF, THIEF_STORE],
      [VICTIM, VICTIM_STORE],
    ].map(([deviceId, storeId]) => ({
      deviceId: deviceId as string,
      kind: 'panel' as const,
      storeId: storeId as string,
      // Every lane's key is registered under the same id (`test-1`), each its own key.
      keys: testKeys(deviceId as string),
    })),
  });
  daemon = await startDaemon('edge', PANEL, { keyId: TEST_KEY_ID, key: testKey(PANEL) });
}, 60_000);

afterAll(async () => {
  for (const d of daemons) d.child.kill('SIGTERM');
  await Promise.all(daemons.map((d) => d.exited));
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
    const asAnother = await post([{ ...pair[0], deviceId: THIEF }]);
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

describe('End to end: what a daemon puts is signed, and the processor counts only what verifies', () => {
  it('signs with its own registered key: its events count while unsigned records are refused', async () => {
    // Prepare
    const before = await storeDetections();

    // Act
    const sent = await post([detection(), detection()]);

    // Assess
    expect(sent.status).toBe(202);
    await eventually(async () => expect(await storeDetections()).toBe(before + 2));
    expect((await lettersOf(sent.body.eventIds as string[])).size).toBe(0);
  });

  // The issue's forgery, now with a stolen key: a daemon holding store-0001's lane key, its
  // config claiming store-0002's lane. Its intake accepts (it sends as its configured device);
  // the processor refuses every record by the key id the envelope names for that signer.
  it.each([
    // store-0002's lane has a key `test-1`: the stolen key's signature does not verify under it.
    ["the key id store-0002's lane registered", 'bad_signature', TEST_KEY_ID],
    // store-0002's lane has no key `stolen-1`.
    ["a key id store-0002's lane never registered", 'unknown_key', 'stolen-1'],
  ])(
    "refuses a daemon posing as store-0002's lane with store-0001's lane key under %s: every record is dead-lettered %s",
    async (_label, reason, keyId) => {
      // Prepare
      const attacker = await startDaemon(`attacker-${keyId}`, VICTIM, {
        keyId,
        key: testKey(THIEF),
      });
      const before = await storeDetections(VICTIM_STORE);

      // Act
      const sent = await post([detection({}, VICTIM_STORE), detection({}, VICTIM_STORE)], attacker);

      // Assess: each event's record is dead-lettered as signed by the device it claimed.
      expect(sent.status).toBe(202);
      const eventIds = sent.body.eventIds as string[];
      expect(eventIds).toHaveLength(2);
      const letters = await eventually(async () => {
        const found = await lettersOf(eventIds);
        expect(found.size).toBe(eventIds.length);
        return found;
      });
      expect([...letters.values()]).toEqual(eventIds.map(() => ({ reason, deviceId: VICTIM })));
      expect(await storeDetections(VICTIM_STORE)).toBe(before);
    },
  );

  it('refuses a daemon with no signing key: every record is dead-lettered unsigned', async () => {
    // Prepare: a registered lane's daemon, with no `signing` in its config.
    const unsigned = await startDaemon('unsigned', THIEF);
    const before = await storeDetections(THIEF_STORE);

    // Act
    const sent = await post([detection({}, THIEF_STORE), detection({}, THIEF_STORE)], unsigned);

    // Assess: it said so at start; its records are refused.
    expect(unsigned.output()).toContain(
      '"level":"WARN","message":"no signing key: records go unsigned',
    );
    expect(sent.status).toBe(202);
    const eventIds = sent.body.eventIds as string[];
    const letters = await eventually(async () => {
      const found = await lettersOf(eventIds);
      expect(found.size).toBe(eventIds.length);
      return found;
    });
    expect([...letters.values()]).toEqual(
      eventIds.map(() => ({ reason: 'unsigned', deviceId: THIEF })),
    );
    expect(await storeDetections(THIEF_STORE)).toBe(before);
  });
});
