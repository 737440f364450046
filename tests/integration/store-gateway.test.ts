import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, parseTelemetryJson, type TelemetryEvent } from '#contract';
import {
  type Daemon,
  DaemonConfig,
  EdgeClient,
  type EventInput,
  SecretFileModeError,
  sha256Hex,
  startDaemon,
} from '#edge-client';
import { detection, incident, NOON, outcome } from '../helpers/factories.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { rawExchange } from '../helpers/raw-http.js';
import { readStream } from '../helpers/stream-reader.js';

process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const STORE = 'store-0001';
const LANES = ['panel-store-0001-lane-01', 'panel-store-0001-lane-02'] as const;
const tokenOf = (deviceId: string) => `token-of-${deviceId}-`.padEnd(48, 'x');
const dir = mkdtempSync(join(tmpdir(), 'store-gw-'));

let env: Awaited<ReturnType<typeof freshEmulators>>;
beforeAll(async () => {
  env = await freshEmulators();
});
afterAll(async () => env.close());

async function createStream(name: string) {
  await env.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntilStreamExists({ client: env.kinesis, maxWaitTime: 30 }, { StreamName: name });
}

/** A gateway daemon for STORE, in process, on a fresh spool; `gateway` overrides its settings. */
async function gatewayDaemon(
  streamName: string,
  overrides: { gateway?: object; spool?: object; endpoint?: string; shutdownFlushMs?: number } = {},
): Promise<Daemon> {
  const config = DaemonConfig.parse({
    streamName,
    endpoint: overrides.endpoint ?? env.emulators.kinesisEndpoint,
    region: 'us-east-1',
    spool: { dir: mkdtempSync(join(dir, 'gw-spool-')), ...overrides.spool },
    statusIntervalMs: 60_000,
    shutdownFlushMs: overrides.shutdownFlushMs ?? 5_000,
    gateway: {
      storeId: STORE,
      listen: { host: '127.0.0.1', port: 0 },
      lanes: LANES.map((deviceId) => ({ deviceId, tokenSha256: sha256Hex(tokenOf(deviceId)) })),
      lingerMs: 300,
      ...overrides.gateway,
    },
  });
  return startDaemon(config, { log: () => undefined });
}

function lane(deviceId: string, url: string, extra: { ca?: Buffer } = {}): Promise<EdgeClient> {
  return EdgeClient.open({
    deviceId,
    gateway: { url, storeId: STORE, token: tokenOf(deviceId), timeoutMs: 2_000, ...extra },
    spool: { dir: mkdtempSync(join(dir, 'lane-')) },
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 200,
  });
}

/** A lane's own event: no deviceId, no seq (the lane assigns them). */
const ownEvent = (): EventInput => {
  const { deviceId: _d, seq: _s, ...rest } = detection({ storeId: STORE });
  return rest as EventInput;
};

async function postAs(url: string, token: string | undefined, body: string) {
  const res = await fetch(`${url}/v1/lane-events`, {
    method: 'POST',
    body,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Integration: store gateway (lanes -> gateway -> Kinesis)', () => {
  it('delivers every lane event exactly once as accepted, under its lane deviceId and seq, packed by store', async () => {
    // Prepare
    await createStream('gw-deliver');
    const gateway = await gatewayDaemon('gw-deliver');
    const lanes = await Promise.all(LANES.map((d) => lane(d, gateway.gatewayUrl as string)));

    // Act: each lane sends 30 events, one at a time.
    const accepted: TelemetryEvent[] = [];
    for (let i = 0; i < 30; i++)
      for (const l of lanes) accepted.push(...(await l.send(ownEvent())));
    for (const l of lanes) expect(await l.flush(20_000)).toBe(true);
    await gateway.stop();
    for (const l of lanes) await l.close();

    // Assess
    const records = await readStream(env.kinesis, 'gw-deliver');
    const onStream = records.flatMap((r) => r.userRecords.map((u) => JSON.parse(u.toString())));
    expect(onStream.map((e) => e.eventId).sort()).toEqual(accepted.map((e) => e.eventId).sort());
    const byId = new Map(accepted.map((e) => [e.eventId, e]));
    for (const e of onStream) expect(e).toEqual(byId.get(e.eventId));
    expect(records.length).toBeLessThan(accepted.length / 5);
    expect(new Set(records.map((r) => r.partitionKey))).toEqual(new Set([STORE]));
  }, 60_000);

  it('refuses a lane without its token (401), another sender or store (403), no seq (400), too many events (413), and keeps nothing of it', async () => {
    // Prepare
    await createStream('gw-refuse');
    const gateway = await gatewayDaemon('gw-refuse', { gateway: { lingerMs: 60_000 } });
    const url = gateway.gatewayUrl as string;
    const [a, b] = LANES;
    const mine = detection({ deviceId: a, storeId: STORE });
    const line = (e: object) => JSON.stringify(e);

    // Act / Assess
    expect((await postAs(url, undefined, line(mine))).status).toBe(401);
    expect((await postAs(url, tokenOf('panel-store-0001-lane-99'), line(mine))).status).toBe(401);
    const posing = await postAs(url, tokenOf(b), line(mine));
    expect(posing.status).toBe(403);
    expect(posing.body.errors).toEqual([expect.objectContaining({ name: 'deviceId', index: 0 })]);
    const elsewhere = await postAs(url, tokenOf(a), line({ ...mine, storeId: 'store-0002' }));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.errors).toEqual([expect.objectContaining({ name: 'storeId' })]);
    const { seq: _seq, ...noSeq } = mine;
    const unnumbered = await postAs(url, tokenOf(a), `${line(mine)}\n${line(noSeq)}`);
    expect(unnumbered.status).toBe(400);
    expect(unnumbered.body.errors).toEqual([expect.objectContaining({ name: 'seq', index: 1 })]);
    const invalid = await postAs(url, tokenOf(a), line({ ...mine, confidence: 7 }));
    expect(invalid.status).toBe(400);
    const many = Array.from({ length: 501 }, () =>
      line(detection({ deviceId: a, storeId: STORE })),
    );
    expect((await postAs(url, tokenOf(a), many.join('\n'))).status).toBe(413);
    const wrongRoute = await fetch(`${url}/status`, {
      method: 'POST',
      body: line(mine),
      headers: { authorization: `Bearer ${tokenOf(a)}` },
    });
    expect(wrongRoute.status).toBe(404);
    expect(gateway.client.metrics().accepted).toBe(0);

    // A lane's own events, outcome included, are accepted.
    const ok = await postAs(url, tokenOf(a), `${line(mine)}\n${line(outcome(mine))}`);
    expect(ok.status).toBe(202);
    expect(gateway.client.metrics().accepted).toBe(2);
    await gateway.stop();
  }, 60_000);

  it('refuses a lane token file others may read', async () => {
    const tokenFile = join(mkdtempSync(join(dir, 'tok-')), 'lane.token');
    writeFileSync(tokenFile, tokenOf(LANES[0]));
    chmodSync(tokenFile, 0o644);
    const config = DaemonConfig.parse({
      deviceId: LANES[0],
      upstream: { url: 'http://127.0.0.1:9', storeId: STORE, tokenFile },
      spool: { dir: mkdtempSync(join(dir, 'lane-')) },
      stdin: false,
    });
    await expect(startDaemon(config, { log: () => undefined })).rejects.toThrow(
      SecretFileModeError,
    );
  });

  it('serves lanes over TLS: a lane with the CA delivers, one without it keeps its events', async () => {
    // Prepare: a CA and a certificate for 127.0.0.1, made with openssl.
    const pki = mkdtempSync(join(dir, 'pki-'));
    const f = (n: string) => join(pki, n);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=store-ca',
    );
    openssl('req', ...ec, '-keyout', f('gw.key'), '-out', f('gw.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(f('gw.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      f('gw.csr'),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f('gw.pem'),
      '-days',
      '1',
      '-extfile',
      f('gw.ext'),
    );
    chmodSync(f('gw.key'), 0o600);
    await createStream('gw-tls');
    const gateway = await gatewayDaemon('gw-tls', {
      gateway: { tls: { certFile: f('gw.pem'), keyFile: f('gw.key') } },
    });
    const url = gateway.gatewayUrl as string;
    expect(url).toMatch(/^https:/);
    const trusting = await lane(LANES[0], url, { ca: readFileSync(f('ca.pem')) });
    const untrusting = await lane(LANES[1], url);

    // Act
    await trusting.send(ownEvent());
    await untrusting.send(ownEvent());
    const delivered = await trusting.flush(10_000);
    const refused = await untrusting.flush(1_500);

    // Assess
    expect(delivered).toBe(true);
    expect(refused).toBe(false);
    expect(untrusting.metrics()).toMatchObject({
      sent: 0,
      lastError: { code: 'GatewayUnreachable' },
    });
    expect(gateway.client.metrics().accepted).toBe(1);
    await Promise.all([trusting.close(0), untrusting.close(0)]);
    await gateway.stop();
  }, 60_000);
});

describe('Integration: a lane releases only what its gateway acknowledged', () => {
  /** A stand-in gateway that answers as told, and keeps the bodies it answered 202 to. */
  async function scriptedGateway() {
    const state = { mode: 'refuse' as 'refuse' | 'fail' | 'hang' | 'reset' | 'accept' };
    const held: string[] = [];
    const server: Server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (state.mode === 'hang') return;
        if (state.mode === 'reset') return req.socket.destroy();
        const status = { refuse: 403, fail: 500, accept: 202 }[state.mode];
        if (status === 202) held.push(...body.split('\n').filter((l) => l !== ''));
        res.writeHead(status, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ status, detail: `scripted ${state.mode}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { state, held, url, close: () => new Promise((r) => server.close(r)) };
  }

  it('keeps every event through refusals, failures, no answer and reset connections, then delivers each', async () => {
    // Prepare
    const gateway = await scriptedGateway();
    const spoolDir = mkdtempSync(join(dir, 'lane-'));
    const open = () =>
      EdgeClient.open({
        deviceId: LANES[0],
        gateway: { url: gateway.url, storeId: STORE, token: tokenOf(LANES[0]), timeoutMs: 300 },
        spool: { dir: spoolDir },
        retryBaseDelayMs: 20,
        retryMaxDelayMs: 100,
      });
    let client = await open();
    const accepted: TelemetryEvent[] = [];
    for (let i = 0; i < 5; i++) accepted.push(...(await client.send(ownEvent())));

    // Act / Assess: nothing is released while the gateway does not answer 202.
    for (const mode of ['refuse', 'fail', 'hang', 'reset'] as const) {
      gateway.state.mode = mode;
      expect(await client.flush(800)).toBe(false);
      expect(client.metrics().sent).toBe(0);
    }
    expect(client.metrics().lastError?.code).toMatch(/^Gateway/);
    // A restart of the lane keeps what was not acknowledged.
    await client.close(0);
    client = await open();
    expect(client.metrics().spoolBytes).toBeGreaterThan(0);
    gateway.state.mode = 'accept';
    expect(await client.flush(10_000)).toBe(true);
    await client.close();
    await gateway.close();

    // Every accepted event reached the gateway (perhaps more than once: a hung request may
    // have been read), with the lane's deviceId and its seq.
    const ids = new Set(gateway.held.map((l) => JSON.parse(l).eventId));
    expect([...ids].sort()).toEqual(accepted.map((e) => e.eventId).sort());
    for (const l of gateway.held) expect(JSON.parse(l).deviceId).toBe(LANES[0]);
  }, 60_000);

  it('keeps the events its gateway could not spool (507, spool full)', async () => {
    // Prepare: a gateway whose Kinesis is unreachable and whose spool holds a few events only.
    const gateway = await gatewayDaemon('gw-full', {
      endpoint: 'http://127.0.0.1:9',
      spool: { maxBytes: 2_048 },
      gateway: { lingerMs: 0 },
      shutdownFlushMs: 0,
    });
    const client = await lane(LANES[0], gateway.gatewayUrl as string);

    // Act: one event at a time, as a lane sends them.
    for (let i = 0; i < 12; i++) {
      await client.send(ownEvent());
      await client.flush(300);
    }

    // Assess: the lane released exactly what the gateway spooled, and still holds the rest.
    const held = gateway.client.metrics().accepted;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(12);
    expect(client.metrics().sent).toBeLessThanOrEqual(held);
    expect(client.metrics().lastError?.code).toBe('Gateway507');
    expect(client.metrics().spoolBytes).toBeGreaterThan(0);
    await client.close(0);
    await gateway.stop();
  }, 60_000);
});

describe('Integration: store gateway against a hostile lane or LAN host', () => {
  const [A, B] = LANES;
  const line = (e: object) => JSON.stringify(e);
  /** A gateway that lingers (nothing leaves it during the test) and keeps its log lines. */
  async function lingeringGateway(streamName: string) {
    await createStream(streamName);
    const logged: string[] = [];
    const config = DaemonConfig.parse({
      streamName,
      endpoint: env.emulators.kinesisEndpoint,
      region: 'us-east-1',
      spool: { dir: mkdtempSync(join(dir, 'gw-spool-')) },
      statusIntervalMs: 60_000,
      gateway: {
        storeId: STORE,
        listen: { host: '127.0.0.1', port: 0 },
        lanes: LANES.map((deviceId) => ({ deviceId, tokenSha256: sha256Hex(tokenOf(deviceId)) })),
        lingerMs: 300,
      },
    });
    const daemon = await startDaemon(config, { log: (l) => logged.push(l) });
    return { daemon, url: daemon.gatewayUrl as string, logged };
  }
  const rawPost = (url: string, headers: string[], body: string | Buffer) =>
    rawExchange(
      url,
      Buffer.concat([
        Buffer.from(
          [
            'POST /v1/lane-events HTTP/1.1',
            'Host: 127.0.0.1',
            'Connection: close',
            `Content-Length: ${Buffer.byteLength(body)}`,
            ...headers,
            '',
            '',
          ].join('\r\n'),
        ),
        Buffer.from(body),
      ]),
    );
  const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);

  it("refuses at a lane's send an event for another store, which would hold back the lane's later events", async () => {
    // Prepare
    const { daemon, url } = await lingeringGateway('gw-other-store');
    const l = await lane(A, url);
    const elsewhere = { ...ownEvent(), storeId: 'store-0002' } as EventInput;
    const { deviceId: _d, seq: _s, ...elsewhereIncident } = incident({ storeId: 'store-0002' });

    // Act
    const refused = await Promise.allSettled([
      l.send(elsewhere),
      l.send(elsewhereIncident as EventInput),
    ]);
    const later = await l.send(ownEvent());
    const delivered = await l.flush(10_000);
    const held = daemon.client.metrics().accepted;
    await l.close(0);
    await daemon.stop();

    // Assess: the next event goes on; the caller is told at once (a 400 at the lane's intake).
    expect(delivered).toBe(true);
    expect(held).toBe(later.length);
    for (const r of refused) {
      expect(r.status).toBe('rejected');
      expect(r.status === 'rejected' && r.reason).toMatchObject({
        name: 'InvalidEventError',
        issues: [expect.objectContaining({ path: 'storeId' })],
      });
    }
  }, 60_000);

  it('refuses an event the contract takes but the processor would not decode (over MAX_EVENT_BYTES)', async () => {
    // Prepare: the contract's instants take any number of fractional digits.
    const { daemon, url } = await lingeringGateway('gw-event-bytes');
    const l = await lane(A, url);
    const occurredAt = `${new Date(NOON).toISOString().slice(0, 19)}.${'1'.repeat(MAX_EVENT_BYTES)}Z`;
    const huge = { ...detection({ deviceId: A, storeId: STORE }), occurredAt };

    // Act
    const posted = await postAs(url, tokenOf(A), line(huge));
    const sent = l.send({ ...ownEvent(), occurredAt } as EventInput);
    await expect(sent).rejects.toMatchObject({ name: 'InvalidEventError' });
    const accepted = daemon.client.metrics().accepted;
    await l.close(0);
    await daemon.stop();

    // Assess: what the processor would dead-letter as undecodable is refused at the edge.
    expect(parseTelemetryJson(Buffer.from(line(huge)))).toMatchObject({
      ok: false,
      kind: 'undecodable',
    });
    expect(posted.status).toBe(400);
    expect(posted.body.detail).toMatch(/larger than 4096 bytes/);
    expect(accepted).toBe(0);
  }, 60_000);

  it('refuses an event whose seq is null (400 naming seq): the gateway never numbers one', async () => {
    // Prepare
    const { daemon, url } = await lingeringGateway('gw-seq-null');

    // Act
    const answer = await postAs(
      url,
      tokenOf(A),
      line({ ...detection({ deviceId: A, storeId: STORE }), seq: null }),
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ name: 'seq' })]);
    const accepted = daemon.client.metrics().accepted;
    await daemon.stop();
    expect(accepted).toBe(0);
  }, 60_000);

  it("refuses a negative, fractional, string or past-safe seq (400), and a replay of another lane's body (403)", async () => {
    // Prepare
    const { daemon, url } = await lingeringGateway('gw-seq-odd');
    const mine = detection({ deviceId: A, storeId: STORE });
    const seqs = [-1, 1.5, '7', 2 ** 53, 1e308];
    const capturedFromB = line(detection({ deviceId: B, storeId: STORE }));

    // Act
    const answers = [];
    for (const seq of seqs)
      answers.push((await postAs(url, tokenOf(A), line({ ...mine, seq }))).status);
    const replayed = await postAs(url, tokenOf(A), capturedFromB);
    const accepted = daemon.client.metrics().accepted;
    await daemon.stop();

    // Assess
    expect(answers).toEqual(seqs.map(() => 400));
    expect(replayed.status).toBe(403);
    expect(accepted).toBe(0);
  }, 60_000);

  it('relays the deviceId JSON.parse keeps of a key given twice, and refuses __proto__ keys', async () => {
    // Prepare
    const { daemon, url } = await lingeringGateway('gw-dup-keys');
    const mine = line(detection({ deviceId: A, storeId: STORE }));
    const posingFirst = mine.replace('"deviceId":', `"deviceId":"${B}","deviceId":`);
    const posingLast = `${mine.slice(0, -1)},"deviceId":"${B}"}`;
    const viaProto = line({ ...detection({ deviceId: A, storeId: STORE }) }).replace(
      `"deviceId":"${A}",`,
      `"__proto__":{"deviceId":"${A}"},`,
    );
    const extraProto = `${mine.slice(0, -1)},"__proto__":{"storeId":"store-0002"}}`;

    // Act
    const kept = await postAs(url, tokenOf(A), posingFirst);
    const posed = await postAs(url, tokenOf(A), posingLast);
    const asB = await postAs(url, tokenOf(B), posingFirst);
    const proto = await postAs(url, tokenOf(A), viaProto);
    const extra = await postAs(url, tokenOf(A), extraProto);
    await daemon.stop();

    // Assess: only the body whose last deviceId is A's, sent with A's token, is taken, as A's.
    expect([kept.status, posed.status, asB.status, proto.status, extra.status]).toEqual([
      202, 403, 403, 403, 400,
    ]);
    const records = await readStream(env.kinesis, 'gw-dup-keys');
    const relayed = records.flatMap((r) => r.userRecords.map((u) => JSON.parse(u.toString())));
    expect(relayed.map((e) => e.deviceId)).toEqual([A]);
    expect(relayed[0]).toEqual(JSON.parse(mine));
  }, 60_000);

  it('takes one credential per request: two Authorization headers, odd schemes, a long header', async () => {
    // Prepare
    const { daemon, url, logged } = await lingeringGateway('gw-headers');
    const ofB = line(detection({ deviceId: B, storeId: STORE }));
    const bearer = (t: string) => `Authorization: Bearer ${t}`;

    // Act
    const answers = {
      aThenB: statusOf(await rawPost(url, [bearer(tokenOf(A)), bearer(tokenOf(B))], ofB)),
      lowercase: statusOf(await rawPost(url, [`Authorization: bearer ${tokenOf(B)}`], ofB)),
      twoWords: statusOf(await rawPost(url, [`${bearer(tokenOf(B))} ${tokenOf(B)}`], ofB)),
      basic: statusOf(await rawPost(url, [`Authorization: Basic ${tokenOf(B)}`], ofB)),
      long: statusOf(await rawPost(url, [bearer(tokenOf(B).repeat(2_000))], ofB)),
    };
    const stillUp = await postAs(url, tokenOf(B), ofB);
    await daemon.stop();

    // Assess: never taken as B's but with B's one clean credential; no token in any log line.
    expect(answers).toEqual({ aThenB: 403, lowercase: 401, twoWords: 401, basic: 401, long: 431 });
    expect(stillUp.status).toBe(202);
    for (const l of logged) for (const d of LANES) expect(l).not.toContain(tokenOf(d));
  }, 60_000);

  it('refuses bodies past the limit (one megabyte line, chunked), invalid UTF-8 and nested JSON, and stays up', async () => {
    // Prepare
    const { daemon, url } = await lingeringGateway('gw-bodies');
    const auth = `Authorization: Bearer ${tokenOf(A)}`;
    const mine = detection({ deviceId: A, storeId: STORE });
    const megaLine = line({ ...mine, laneId: 'x'.repeat(1024 * 1024) });
    const text = line(mine);
    const at = text.indexOf('"lane-01"');
    const badUtf8 = Buffer.concat([
      Buffer.from(`${text.slice(0, at)}"lane-`),
      Buffer.from([0xc3, 0x28]), // not UTF-8
      Buffer.from(`01"${text.slice(at + '"lane-01"'.length)}`),
    ]);
    const chunked = (body: string) =>
      rawExchange(
        url,
        `POST /v1/lane-events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${auth}\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );

    // Act
    const answers = {
      megaLine: (await postAs(url, tokenOf(A), megaLine)).status,
      chunkedOver: statusOf(await chunked('\n'.repeat(1024 * 1024 + 1))),
      badUtf8: statusOf(await rawPost(url, [auth], badUtf8)),
      nested: (await postAs(url, tokenOf(A), `${'['.repeat(500_000)}${']'.repeat(500_000)}`))
        .status,
      nestedObject: (
        await postAs(url, tokenOf(A), `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`)
      ).status,
    };
    const chunkedOk = statusOf(await chunked(line(mine)));
    const accepted = daemon.client.metrics().accepted;
    await daemon.stop();

    // Assess
    expect(answers).toEqual({
      megaLine: 413,
      chunkedOver: 413,
      badUtf8: 400,
      nested: 400,
      nestedObject: 403,
    });
    expect(chunkedOk).toBe(202);
    expect(accepted).toBe(1);
  }, 60_000);
});
