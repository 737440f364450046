import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DaemonConfig,
  DEVICE_STATUS_HEARTBEAT_MS,
  DEVICE_STATUS_INTERVAL_MS,
  loadDaemonConfig,
  statusHeartbeatMs,
} from '../../edge-client/src/cli/daemon-config.js';
import { DAEMON_VERSION } from '../../edge-client/src/cli/version.js';

function configFile(config: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'edge-cfg-')), 'edge.json');
  writeFileSync(file, JSON.stringify({ streamName: 's', spool: { dir: '/tmp/x' }, ...config }));
  return file;
}

describe('Function: loadDaemonConfig', () => {
  it('requires the device the daemon sends as, naming the relay alternative', () => {
    expect(() => loadDaemonConfig(configFile({}))).toThrow(
      /deviceId: required: the device id this daemon sends as \(or "relay": true/,
    );
  });

  it('takes a deviceId, or a deliberate relay, but not both', () => {
    expect(loadDaemonConfig(configFile({ deviceId: 'panel-store-0001-lane-01' }))).toMatchObject({
      deviceId: 'panel-store-0001-lane-01',
      relay: false,
    });
    expect(loadDaemonConfig(configFile({ relay: true }))).toMatchObject({ relay: true });
    expect(() =>
      loadDaemonConfig(configFile({ relay: true, deviceId: 'panel-store-0001-lane-01' })),
    ).toThrow(/relay: a relay forwards each event as its own device, so it takes no deviceId/);
  });

  const lanes = [{ deviceId: 'panel-store-0001-lane-01', tokenSha256: 'a'.repeat(64) }];

  it('takes a signing key for a daemon or a named gateway, and refuses one where no single key can sign', () => {
    const signing = { keyId: 'k1', keyFile: '/etc/edge/signing.pem' };
    expect(
      loadDaemonConfig(configFile({ deviceId: 'panel-store-0001-lane-01', signing })).signing,
    ).toEqual(signing);
    const gateway = { storeId: 'store-0001', listen: { host: '127.0.0.1' }, lanes };
    expect(() => loadDaemonConfig(configFile({ gateway, signing }))).toThrow(
      /gateway: deviceId: required to sign/,
    );
    expect(
      loadDaemonConfig(
        configFile({ gateway: { ...gateway, deviceId: 'gateway-store-0001' }, signing }),
      ).gateway?.deviceId,
    ).toBe('gateway-store-0001');
    expect(() => loadDaemonConfig(configFile({ relay: true, signing }))).toThrow(
      /signing: a relay carries other devices' events/,
    );
    expect(() =>
      loadDaemonConfig(
        configFile({ deviceId: 'panel-store-0001-lane-01', signing: { keyId: 'k1' } }),
      ),
    ).toThrow(/signing.keyFile/);
  });

  it('takes a keyring for a relay only, and never a keyring beside a key of its own', () => {
    const keyring = { keyringFile: '/tmp/rig/keyring.json' };
    expect(loadDaemonConfig(configFile({ relay: true, signing: keyring })).signing).toEqual(
      keyring,
    );
    expect(() =>
      loadDaemonConfig(configFile({ deviceId: 'panel-store-0001-lane-01', signing: keyring })),
    ).toThrow(/signing: keyringFile: a relay only/);
    expect(() =>
      loadDaemonConfig(
        configFile({ relay: true, signing: { ...keyring, keyId: 'k1', keyFile: '/k.pem' } }),
      ),
    ).toThrow(/signing: either keyId and keyFile \(this device\) or keyringFile/);
  });

  it('takes a gateway for one store, with its lanes by token hash, and the gateway defaults', () => {
    const config = loadDaemonConfig(
      configFile({
        gateway: { storeId: 'store-0001', listen: { host: '10.0.0.2' }, lanes, plainHttp: true },
      }),
    );
    expect(config.gateway).toMatchObject({
      storeId: 'store-0001',
      listen: { host: '10.0.0.2', port: 8788 },
      lingerMs: 45_000,
      sizeAwareFlush: true,
    });
  });

  it('refuses plain HTTP beyond loopback unless told the LAN is trusted, on both ends', () => {
    const gateway = { storeId: 'store-0001', listen: { host: '10.0.0.2' }, lanes };
    const upstream = {
      url: 'http://10.0.0.2:8788',
      storeId: 'store-0001',
      tokenFile: '/etc/edge/lane.token',
    };
    const laneWith = (u: Record<string, unknown>) => {
      const file = join(mkdtempSync(join(tmpdir(), 'edge-cfg-')), 'edge.json');
      const lane = { spool: { dir: '/tmp/x' }, deviceId: 'panel-store-0001-lane-01', upstream: u };
      writeFileSync(file, JSON.stringify(lane));
      return loadDaemonConfig(file);
    };
    expect(() => loadDaemonConfig(configFile({ gateway }))).toThrow(
      /gateway.tls: lane tokens would cross the store LAN in clear/,
    );
    expect(() => laneWith(upstream)).toThrow(
      /upstream.url: lane tokens would cross the store LAN in clear/,
    );
    expect(
      loadDaemonConfig(configFile({ gateway: { ...gateway, listen: { host: '127.0.0.1' } } }))
        .gateway?.plainHttp,
    ).toBe(false);
    expect(laneWith({ ...upstream, plainHttp: true }).upstream?.plainHttp).toBe(true);
    expect(laneWith({ ...upstream, url: 'http://127.0.0.1:8788' }).upstream?.url).toBe(
      'http://127.0.0.1:8788',
    );
    expect(laneWith({ ...upstream, url: 'https://10.0.0.2:8788' }).upstream?.url).toBe(
      'https://10.0.0.2:8788',
    );
  });

  it('refuses a gateway that would speak as a device, take local intake, or hold a token instead of its hash', () => {
    const gateway = { storeId: 'store-0001', listen: { host: '127.0.0.1' }, lanes };
    expect(() =>
      loadDaemonConfig(configFile({ gateway, deviceId: 'panel-store-0001-lane-01' })),
    ).toThrow(/deviceId: a gateway relays its lanes' events under their own deviceIds/);
    expect(() => loadDaemonConfig(configFile({ gateway, http: { port: 0 } }))).toThrow(
      /http: a gateway's intake is gateway.listen/,
    );
    expect(() => loadDaemonConfig(configFile({ gateway, stdin: true }))).toThrow(/stdin:/);
    expect(() =>
      loadDaemonConfig(
        configFile({ gateway: { ...gateway, lanes: [{ ...lanes[0], tokenSha256: 'secret' }] } }),
      ),
    ).toThrow(/gateway.lanes.0.tokenSha256: must be 64 lowercase hex digits/);
  });

  it('takes a lane behind a gateway (upstream) without a stream, and refuses Kinesis settings for it', () => {
    const upstream = {
      url: 'https://10.0.0.2:8788',
      storeId: 'store-0001',
      tokenFile: '/etc/edge/lane.token',
    };
    const lane = { spool: { dir: '/tmp/x' }, deviceId: 'panel-store-0001-lane-01', upstream };
    const file = join(mkdtempSync(join(tmpdir(), 'edge-cfg-')), 'edge.json');
    writeFileSync(file, JSON.stringify(lane));
    expect(loadDaemonConfig(file).upstream).toEqual({ ...upstream, plainHttp: false });
    expect(() =>
      loadDaemonConfig(configFile({ deviceId: 'panel-store-0001-lane-01', upstream })),
    ).toThrow(/streamName: a lane behind a gateway \(upstream\) does not talk to Kinesis/);
    writeFileSync(file, JSON.stringify({ ...lane, upstream: { ...upstream, url: 'ftp://x' } }));
    expect(() => loadDaemonConfig(file)).toThrow(/upstream.url/);
    const { storeId: _storeId, ...unbound } = upstream;
    writeFileSync(file, JSON.stringify({ ...lane, upstream: unbound }));
    expect(() => loadDaemonConfig(file)).toThrow(/upstream.storeId/);
  });
});

describe('Constant: DAEMON_VERSION', () => {
  it("is package.json's version, the release its device_status events name", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(DAEMON_VERSION).toBe(pkg.version);
  });

  it('takes deviceStatus as false, or a store and an interval of 10 s to an hour', () => {
    const base = { streamName: 's', deviceId: 'd', spool: { dir: '/tmp/x' } };
    expect(DaemonConfig.safeParse({ ...base, deviceStatus: false }).success).toBe(true);
    expect(
      DaemonConfig.safeParse({ ...base, deviceStatus: { storeId: 'store-0001' } }).success,
    ).toBe(true);
    expect(DaemonConfig.safeParse({ ...base, deviceStatus: { intervalMs: 1_000 } }).success).toBe(
      false,
    );
    expect(DaemonConfig.safeParse({ ...base, deviceStatus: { storeId: 'a b' } }).success).toBe(
      false,
    );
  });

  it('sends quiet statuses on a heartbeat of twice the interval by default, a whole multiple of it', () => {
    const base = { streamName: 's', deviceId: 'd', spool: { dir: '/tmp/x' } };
    const parse = (deviceStatus: object) => DaemonConfig.safeParse({ ...base, deviceStatus });
    expect(parse({ storeId: 'store-0001' }).success).toBe(true);
    expect(statusHeartbeatMs(DEVICE_STATUS_INTERVAL_MS)).toBe(DEVICE_STATUS_HEARTBEAT_MS);
    expect(DEVICE_STATUS_HEARTBEAT_MS).toBe(2 * DEVICE_STATUS_INTERVAL_MS);
    // An interval the default heartbeat is no multiple of: every status is a heartbeat.
    expect(statusHeartbeatMs(240_000)).toBe(240_000);
    expect(statusHeartbeatMs(60_000)).toBe(DEVICE_STATUS_HEARTBEAT_MS);
    expect(statusHeartbeatMs(60_000, 120_000)).toBe(120_000);
    expect(parse({ intervalMs: 60_000, heartbeatMs: 60_000 }).success).toBe(true);
    const off = parse({ intervalMs: 300_000, heartbeatMs: 450_000 });
    expect(off.success).toBe(false);
    expect(off.error?.issues[0]).toMatchObject({
      path: ['deviceStatus', 'heartbeatMs'],
      message: expect.stringContaining('whole multiple of intervalMs (300000)'),
    });
    expect(parse({ intervalMs: 300_000, heartbeatMs: 150_000 }).success).toBe(false);
  });

  it('names a heartbeat the schema takes when refusing one, and caps it at 10 minutes', () => {
    const base = { streamName: 's', deviceId: 'd', spool: { dir: '/tmp/x' } };
    const message = (deviceStatus: object) =>
      DaemonConfig.safeParse({ ...base, deviceStatus: { storeId: 'store-0001', ...deviceStatus } })
        .error?.issues[0]?.message;
    expect(message({ intervalMs: 3_600_000, heartbeatMs: 3_600_000 })).toBe(
      'at most 600000 (10 minutes): past it a live device can read as silent in fleet health',
    );
    expect(message({ intervalMs: 3_600_000, heartbeatMs: 600_000 })).toBe(
      'a whole multiple of intervalMs (3600000), at most 600000: none; omit heartbeatMs',
    );
    expect(message({ intervalMs: 400_000, heartbeatMs: 500_000 })).toBe(
      'a whole multiple of intervalMs (400000), at most 600000: 400000 (every status)',
    );
    expect(message({ intervalMs: 120_000, heartbeatMs: 300_000 })).toBe(
      'a whole multiple of intervalMs (120000), such as 240000',
    );
    // An hour-long interval with no heartbeat set is its own heartbeat.
    expect(
      DaemonConfig.safeParse({
        ...base,
        deviceStatus: { storeId: 'store-0001', intervalMs: 3_600_000 },
      }).success,
    ).toBe(true);
    expect(statusHeartbeatMs(3_600_000)).toBe(3_600_000);
  });
});
