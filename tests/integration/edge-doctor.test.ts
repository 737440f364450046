import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPublicKey } from '#wire';
import { runEdgeCli, writeTestKeyring } from '../helpers/daemon-process.js';
import { TEST_KEY_ID, testKey } from '../helpers/factories.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { makeTestPki } from '../helpers/test-pki.js';

const DEVICE = 'panel-store-0001-lane-01';
const STREAM = 'doctor-stream';
const CHECKS = [
  'config',
  'spool.dir',
  'spool.space',
  'spool.fsync',
  'spool.format',
  'clock',
  'credentials',
  'stream',
  'signing',
];

let env: Awaited<ReturnType<typeof freshEmulators>>;
let pki: ReturnType<typeof makeTestPki>;
let iot: Server;
let iotEndpoint: string;
let clock: Server;
let clockUrl: string;
/** How far ahead of this machine the time source's Date header runs, in ms. */
let clockAheadMs = 0;
const servers: Server[] = [];

const listen = async (server: Server) => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  env = await freshEmulators(1);
  await env.kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
  await waitUntilStreamExists(
    { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
    { StreamName: STREAM },
  );
  pki = makeTestPki();
  // A stand-in for the IoT credentials provider (mutual TLS against the device CA): one-hour
  // credentials, or two-minute ones for the role alias `short-lived`.
  iot = createHttpsServer(
    {
      cert: pki.pem('server'),
      key: pki.key('server'),
      ca: pki.pem('ca'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const lifetimeMs = req.url?.includes('/short-lived/') ? 120_000 : 3_600_000;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          credentials: {
            accessKeyId: 'ASIADOCTORTEST',
            secretAccessKey: 'test-secret',
            sessionToken: 'test-token',
            expiration: new Date(Date.now() + lifetimeMs).toISOString(),
          },
        }),
      );
    },
  );
  iotEndpoint = `https://127.0.0.1:${await listen(iot)}`;
  // A trusted time source whose clock runs `clockAheadMs` ahead of this one.
  clock = createHttpServer((_req, res) => {
    res.setHeader('date', new Date(Date.now() + clockAheadMs).toUTCString());
    res.end();
  });
  clockUrl = `http://127.0.0.1:${await listen(clock)}/`;
});

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  await env.close();
});

/** A folder with a panel PC's config, its signing key (owner-only) and IoT files. */
function setUp(overrides: Record<string, unknown> = {}, spool: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  const keyFile = join(dir, 'signing.pem');
  writeFileSync(keyFile, testKey(DEVICE).export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const configFile = join(dir, 'edge.json');
  const config = {
    streamName: STREAM,
    deviceId: DEVICE,
    endpoint: env.emulators.kinesisEndpoint,
    region: 'us-east-1',
    credentials: {
      iot: {
        endpoint: iotEndpoint,
        roleAlias: 'device-role-alias',
        thingName: DEVICE,
        certFile: pki.file('device.pem'),
        keyFile: pki.file('device.key'),
        caFile: pki.file('ca.pem'),
      },
    },
    spool: { dir: join(dir, 'spool'), ...spool },
    signing: { keyId: TEST_KEY_ID, keyFile },
    ...overrides,
  };
  writeFileSync(configFile, JSON.stringify(config));
  return { dir, configFile, keyFile };
}

/** Runs `edge-client doctor` and parses its lines into check name -> [status, text]. */
async function doctor(configFile: string, extra: string[] = ['--time-source', clockUrl], env = {}) {
  const run = await runEdgeCli(['doctor', '--config', configFile, ...extra], env);
  const lines = run.stdout.trim().split('\n');
  const checks = new Map(
    lines.map((line) => {
      const [status = '', name = ''] = line.split(/\s+/);
      return [name, { status, line }];
    }),
  );
  return { code: run.code, lines, checks, stderr: run.stderr };
}

describe('Integration: edge-client doctor', () => {
  it('passes every check of a sound panel PC, one line each, and prints the public key to register', async () => {
    // Prepare
    clockAheadMs = 0;
    const { configFile } = setUp();

    // Act
    const result = await doctor(configFile);

    // Assess
    expect(result.code).toBe(0);
    expect([...result.checks.keys()]).toEqual(CHECKS);
    for (const [, check] of result.checks) expect(check.line).toMatch(/^ok {3}/);
    expect(result.checks.get('credentials')?.line).toMatch(/expiring .* \(in (59|60) min/);
    expect(result.checks.get('stream')?.line).toMatch(
      /doctor-stream ACTIVE, 2 open shards.*put permission is not proven/,
    );
    expect(result.checks.get('signing')?.line).toContain(rawPublicKey(testKey(DEVICE)));
  });

  it('reports an invalid config as its only line and fails', async () => {
    const { configFile } = setUp({ streamName: undefined, strem: 'typo' });
    const result = await doctor(configFile);
    expect(result.code).toBe(1);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/^FAIL config .*strem: unknown key.*; fix: /);
  });

  it.each([
    ['a file', (dir: string) => join(dir, 'edge.json', 'spool'), /is not a folder/],
    ['a folder no one may write', () => '/proc/self/spool', /cannot write in \/proc\/self/],
  ])('fails spool.dir when the spool folder is in %s', async (_, spoolDir, reason) => {
    const { dir } = setUp();
    const { configFile } = setUp({ spool: { dir: spoolDir(dir) } });
    const result = await doctor(configFile);
    expect(result.code).toBe(1);
    expect(result.checks.get('spool.dir')?.line).toMatch(/^FAIL/);
    expect(result.checks.get('spool.dir')?.line).toMatch(reason);
  });

  it('fails spool.space when the disk has less room than maxBytes', async () => {
    const { configFile } = setUp({}, { maxBytes: 2 ** 52 });
    const result = await doctor(configFile);
    expect(result.code).toBe(1);
    expect(result.checks.get('spool.space')?.line).toMatch(
      /^FAIL spool\.space .*the disk fills before the spool's bound.*; fix: .*lower spool\.maxBytes to at most \d+/,
    );
  });

  it('warns, without failing, on fsync never', async () => {
    clockAheadMs = 0;
    const { configFile } = setUp({}, { fsync: 'never' });
    const result = await doctor(configFile);
    expect(result.code).toBe(0);
    expect(result.checks.get('spool.fsync')?.line).toMatch(
      /^warn spool\.fsync +never: .*power cut/,
    );
  });

  it('fails spool.format for a spool of a newer release, naming the fix', async () => {
    const { dir, configFile } = setUp();
    const spoolDir = join(dir, 'spool');
    mkdirSync(spoolDir);
    writeFileSync(join(spoolDir, 'FORMAT'), '2\n');
    const result = await doctor(configFile);
    expect(result.code).toBe(1);
    expect(result.checks.get('spool.format')?.line).toMatch(
      /^FAIL spool\.format +spool .* is format 2, and this edge-client reads formats up to 1.*Upgrade the daemon/,
    );
  });

  it('fails the clock 20 minutes ahead of the trusted source, and warns at 5', async () => {
    const { configFile } = setUp();
    clockAheadMs = -20 * 60_000; // the source behind: this clock ahead
    const far = await doctor(configFile);
    clockAheadMs = -5 * 60_000;
    const near = await doctor(configFile);
    clockAheadMs = 0;
    expect(far.code).toBe(1);
    expect(far.checks.get('clock')?.line).toMatch(
      /^FAIL clock +1[12]\d\d s ahead of .*processor refuses its events as clock_skew; fix: /,
    );
    expect(near.code).toBe(0);
    expect(near.checks.get('clock')?.line).toMatch(/^warn clock +(29\d|30\d) s ahead of/);
  });

  it('fails the clock when the time source cannot be reached', async () => {
    const { configFile } = setUp();
    const result = await doctor(configFile, ['--time-source', 'http://127.0.0.1:9/']);
    expect(result.code).toBe(1);
    expect(result.checks.get('clock')?.line).toMatch(/^FAIL clock +cannot read the time of/);
  });

  it('fails credentials when the IoT provider refuses the certificate, and warns on a short expiry', async () => {
    const { configFile: rogue } = setUp({
      credentials: {
        iot: {
          endpoint: iotEndpoint,
          roleAlias: 'device-role-alias',
          thingName: DEVICE,
          certFile: pki.file('rogue.pem'),
          keyFile: pki.file('rogue.key'),
          caFile: pki.file('ca.pem'),
        },
      },
    });
    const { configFile: short } = setUp({
      credentials: {
        iot: {
          endpoint: iotEndpoint,
          roleAlias: 'short-lived',
          thingName: DEVICE,
          certFile: pki.file('device.pem'),
          keyFile: pki.file('device.key'),
          caFile: pki.file('ca.pem'),
        },
      },
    });
    const refused = await doctor(rogue);
    const expiring = await doctor(short);
    expect(refused.code).toBe(1);
    expect(refused.checks.get('credentials')?.line).toMatch(
      /^FAIL credentials +IoT: IoT credentials provider .*; fix: /,
    );
    expect(expiring.checks.get('credentials')?.line).toMatch(
      /^warn credentials +.*expiring in 1\d\d s .*inside the 5-min refresh margin/,
    );
  });

  it("fails credentials when the IoT certificate's private key is readable by others", async () => {
    const open = join(mkdtempSync(join(tmpdir(), 'doctor-iot-')), 'device.key');
    copyFileSync(pki.file('device.key'), open);
    chmodSync(open, 0o644);
    const { configFile } = setUp({
      credentials: {
        iot: {
          endpoint: iotEndpoint,
          roleAlias: 'device-role-alias',
          thingName: DEVICE,
          certFile: pki.file('device.pem'),
          keyFile: open,
          caFile: pki.file('ca.pem'),
        },
      },
    });
    const result = await doctor(configFile);
    expect(result.code).toBe(1);
    expect(result.checks.get('credentials')?.line).toMatch(
      /^FAIL credentials +.*device\.key.*mode/,
    );
  });

  it("fails credentials when the SDK's default chain finds none", async () => {
    const { dir, configFile } = setUp({ credentials: undefined });
    const none = join(dir, 'absent');
    const result = await doctor(configFile, ['--time-source', clockUrl], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_CONFIG_FILE: none,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
    });
    expect(result.code).toBe(1);
    expect(result.checks.get('credentials')?.line).toMatch(
      /^FAIL credentials +the SDK's default chain found none: .*; fix: give credentials\.iot/,
    );
  });

  it('skips credentials for a local emulator with placeholder keys, saying so', async () => {
    const { configFile } = setUp({ credentials: undefined });
    const result = await doctor(configFile);
    expect(result.checks.get('credentials')?.line).toMatch(
      /^skip credentials +the endpoint http:\/\/127\.0\.0\.1:\d+ is a local emulator: it takes any keys/,
    );
  });

  it('fails the stream when there is no such stream', async () => {
    const { configFile } = setUp({ streamName: 'no-such-stream' });
    const result = await doctor(configFile);
    expect(result.code).toBe(1);
    expect(result.checks.get('stream')?.line).toMatch(
      /^FAIL stream +no stream no-such-stream: .*; fix: set streamName to the stack's StreamName output/,
    );
  });

  it("fails a lane's gateway check when the gateway refuses its token", async () => {
    // Prepare: a gateway stand-in that knows no token; the lane's token file owner-only.
    const gateway = createHttpServer((req, res) => {
      res.setHeader('date', new Date().toUTCString());
      res.writeHead(req.url === '/status' ? 401 : 404).end();
    });
    const port = await listen(gateway);
    const { dir } = setUp();
    const tokenFile = join(dir, 'lane.token');
    writeFileSync(tokenFile, 'a'.repeat(40), { mode: 0o600 });
    const { configFile } = setUp({
      streamName: undefined,
      endpoint: undefined,
      credentials: undefined,
      signing: undefined,
      upstream: { url: `http://127.0.0.1:${port}`, storeId: 'store-0001', tokenFile },
    });

    // Act
    const result = await doctor(configFile);

    // Assess
    expect(result.code).toBe(1);
    expect([...result.checks.keys()]).toEqual([...CHECKS.slice(0, 7), 'gateway', 'signing']);
    expect(result.checks.get('gateway')?.line).toMatch(
      /^FAIL gateway +http:\/\/127\.0\.0\.1:\d+ refused this lane's token \(401\); fix: list this lane/,
    );
    expect(result.checks.get('signing')?.line).toMatch(/^skip signing +a lane behind a gateway/);
  });

  it.each([
    ['readable by others', 0o644, /readable by others than its owner.*chmod 600/],
    ['not a PEM key', 0o600, /not an unencrypted PEM private key/],
    ['not an Ed25519 key', 0o600, /must be an Ed25519 private key/],
  ])('fails signing for a key file %s', async (what, mode, reason) => {
    const { keyFile, configFile } = setUp();
    const content =
      what === 'not a PEM key'
        ? 'not a key'
        : what === 'not an Ed25519 key'
          ? pki.key('device')
          : testKey(DEVICE).export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(keyFile, content, { mode });
    chmodSync(keyFile, mode);
    const result = await doctor(configFile);
    expect(result.code).toBe(1);
    expect(result.checks.get('signing')?.line).toMatch(/^FAIL signing/);
    expect(result.checks.get('signing')?.line).toMatch(reason);
  });

  it("counts a relay's keyring", async () => {
    const { dir } = setUp();
    const keyringFile = join(dir, 'keyring.json');
    const devices = [DEVICE, 'panel-store-0002-lane-01'];
    writeTestKeyring(keyringFile, devices);
    const { configFile } = setUp({ deviceId: undefined, relay: true, signing: { keyringFile } });
    const result = await doctor(configFile);
    expect(result.checks.get('signing')?.line).toMatch(/^ok {3}signing .*: 2 devices' keys/);
  });
});
