import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import { createKinesisClient, EdgeClient, type EventInput, sha256Hex, sleep } from '#edge-client';
import { defineFleet, FleetSimulator } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { gatewayIdOf, LOCAL_KEY_ID, LocalSigners } from '../../infra/local/local-signers.js';
import { registerFleet } from '../../infra/local/local-simulation.js';
import { type ApiTotals, compareToTruth } from '../bench/fleet-metrics.js';
import { type DaemonProcess, spawnDaemon, writeSigningKeyFile } from '../helpers/daemon-process.js';
import { allItems } from '../helpers/local-dynamodb.js';

/**
 * lanes (in process, each its own EdgeClient and spool) -> a store gateway (its own process)
 * -> the embedded Kinesis -> the processor -> the impact API, with the gateway killed -9 twice
 * mid-run and restarted on the same spool: every total equals the ground truth exactly. Every
 * writer signs (the gateway as its registered `gateway` device, each agent as itself) and the
 * processor refuses unsigned records, as deployed.
 */
const dir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
const fleet = defineFleet({ stores: 1, lanesPerStore: 8, seed: 7 });
const storeId = (fleet.stores[0] as { storeId: string }).storeId;
const tokenOf = (deviceId: string) => `lane-token-${deviceId}-`.padEnd(48, '0');
// The fleet's keys, from a seed in the test's folder; registered with the fleet.
const signers = LocalSigners.open(join(dir, 'signing-seed'));
const gatewayId = gatewayIdOf(storeId);
let stack: EmbeddedStack;

/** A free port on loopback, kept for the gateway's restarts (lanes keep its URL). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  stack = await startEmbeddedStack({
    dataDir: join(dir, 'stack'),
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    apiThrottle: {
      stage: { rateLimit: 10_000, burstLimit: 10_000 },
      perCaller: { rateLimit: 10_000, burstLimit: 10_000 },
    },
    eventSource: { maxBatchingWindowMs: 200, pollIntervalMs: 100, retryBaseDelayMs: 100 },
    unsignedRecords: 'refuse',
  });
  // Lanes, agents and the store's gateway (kind `gateway`, bound to the store), with their keys.
  await registerFleet(stack.dynamodb, fleet, TABLES.registry.localName, signers);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('E2E: kill -9 of a store gateway', () => {
  it('loses and double-counts nothing across two gateway crashes: every total equals the ground truth', async () => {
    // Prepare: the gateway's config, on a fixed port so that its restarts keep the lanes' URL.
    const port = await freePort();
    const configFile = join(dir, 'gateway.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        streamName: TELEMETRY_STREAM.localName,
        endpoint: stack.kinesisEndpoint,
        region: 'us-east-1',
        spool: { dir: join(dir, 'gateway-spool'), fsync: 'always' },
        statusIntervalMs: 60_000,
        signing: {
          keyId: LOCAL_KEY_ID,
          keyFile: writeSigningKeyFile(
            join(dir, 'gateway-signing.pem'),
            signers.signer(gatewayId).privateKey,
          ),
        },
        gateway: {
          storeId,
          deviceId: gatewayId,
          listen: { host: '127.0.0.1', port },
          lanes: fleet.panels.map((p) => ({
            deviceId: p.deviceId,
            tokenSha256: sha256Hex(tokenOf(p.deviceId)),
          })),
          lingerMs: 300,
        },
      }),
    );
    let gateway: DaemonProcess = await spawnDaemon(configFile);
    const url = gateway.url;
    const lanes = new Map<string, EdgeClient>();
    for (const p of fleet.panels)
      lanes.set(
        p.deviceId,
        await EdgeClient.open({
          deviceId: p.deviceId,
          gateway: { url, storeId, token: tokenOf(p.deviceId), timeoutMs: 2_000 },
          spool: { dir: join(dir, 'lanes', p.deviceId) },
          retryBaseDelayMs: 50,
          retryMaxDelayMs: 500,
        }),
      );
    // On-call agents are not lanes: each sends its incidents to Kinesis itself, as today.
    const kinesis = createKinesisClient({
      endpoint: stack.kinesisEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const a of fleet.agents)
      lanes.set(
        a.deviceId,
        await EdgeClient.open({
          deviceId: a.deviceId,
          streamName: TELEMETRY_STREAM.localName,
          kinesis,
          spool: { dir: join(dir, 'agents', a.deviceId) },
          signer: signers.signer(a.deviceId),
        }),
      );
    const simulator = new FleetSimulator({
      fleet,
      seed: 7,
      baselines: DEFAULT_BASELINES,
      resendRate: 0,
      incidentShare: 0,
    });
    const send = async (events: readonly TelemetryEvent[]) => {
      for (const e of events) {
        const { seq: _seq, ...own } = e;
        const accepted = await (lanes.get(e.deviceId) as EdgeClient).send(own as EventInput);
        simulator.acknowledge(accepted);
      }
    };

    // Act: 1,200 events in batches of 20, the gateway killed -9 after a third and two thirds.
    const total = 1_200;
    for (let sent = 0; sent < total; sent += 20) {
      await send(simulator.next(20));
      if (sent === 400 || sent === 800) {
        // Wait until the gateway is putting, so that the kill lands with work in flight.
        await sleep(150);
        gateway.child.kill('SIGKILL');
        await gateway.exited;
        await sleep(500); // the lanes keep spooling and retrying meanwhile
        gateway = await spawnDaemon(configFile);
      }
      await sleep(10);
    }
    await send(simulator.drainPending());
    for (const lane of lanes.values()) expect(await lane.flush(60_000)).toBe(true);
    const truth = simulator.truth();
    const leadership = await stack.issuer.sign({ sub: 'gw', 'custom:role': 'leadership' }, 600);
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    let check = { expected: 0, visible: 0, lost: -1, doubleCounted: -1, exact: false };
    for (let i = 0; i < 240 && !check.exact; i++) {
      const res = await fetch(`${stack.apiUrl}/v1/impact?from=${day(-30)}&to=${day(2)}`, {
        headers: { authorization: `Bearer ${leadership}` },
      });
      if (res.status === 200) check = compareToTruth(truth, (await res.json()) as ApiTotals);
      if (!check.exact) await sleep(250);
    }
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    for (const lane of lanes.values()) await lane.close(0);
    kinesis.destroy();

    // Assess
    expect(check.expected).toBeGreaterThanOrEqual(total);
    expect(check).toMatchObject({ lost: 0, doubleCounted: 0, exact: true });
    // Every record was signed by a sender the registry knows: nothing was dead-lettered.
    expect(await allItems(stack.dynamodb, TABLES.deadLetters.localName)).toEqual([]);
  }, 180_000);
});
