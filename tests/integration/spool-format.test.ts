import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import { EdgeClient } from '../../edge-client/src/core/edge-client.js';
import { SpoolFormatError } from '../../edge-client/src/errors/index.js';
import { createKinesisClient } from '../../edge-client/src/producer/kinesis-client.js';
import { SPOOL_FORMAT } from '../../edge-client/src/spool/spool-format.js';
import { runEdgeCli } from '../helpers/daemon-process.js';
import { detection, testSigner } from '../helpers/factories.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { readStream } from '../helpers/stream-reader.js';

const FIXTURES = fileURLToPath(new URL('../edge-fixtures/', import.meta.url));
const fixture = JSON.parse(readFileSync(join(FIXTURES, 'spool-v1.events.json'), 'utf8')) as {
  deviceId: string;
  acknowledged: TelemetryEvent[];
  pending: TelemetryEvent[];
};

/** A copy of the committed format-1 spool to open (the fixture itself is never opened). */
function v1Spool(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'spool-v1-')), 'spool');
  cpSync(join(FIXTURES, 'spool-v1'), dir, { recursive: true });
  return dir;
}

/** Every file of a folder with its bytes' hash, size and mtime, and the folder's own mtime. */
function snapshot(dir: string) {
  return {
    dirMtimeMs: statSync(dir).mtimeMs,
    files: readdirSync(dir)
      .sort()
      .map((name) => {
        const s = statSync(join(dir, name));
        const sha256 = createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex');
        return { name, size: s.size, mtimeMs: s.mtimeMs, sha256 };
      }),
  };
}

/** A format-1 spool stamped with a format this code does not know, its times set in the past. */
function newerSpool(format = SPOOL_FORMAT + 1): string {
  const dir = v1Spool();
  writeFileSync(join(dir, 'FORMAT'), `${format}\n`);
  const past = new Date(Date.UTC(2026, 0, 1));
  for (const name of readdirSync(dir)) utimesSync(join(dir, name), past, past);
  utimesSync(dir, past, past);
  return dir;
}

let env: Awaited<ReturnType<typeof freshEmulators>>;
beforeAll(async () => {
  env = await freshEmulators(1);
});
afterAll(async () => env.close());

const kinesis = () =>
  createKinesisClient({
    region: 'us-east-1',
    endpoint: env.emulators.kinesisEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('Integration: the spool format across an upgrade', () => {
  it('opens a spool written by the release before format markers and delivers every pending entry byte for byte, once', async () => {
    // Prepare: the committed format-1 spool (cursor inside its first segment left, 15 pending).
    const dir = v1Spool();
    await env.kinesis.send(new CreateStreamCommand({ StreamName: 'spool-v1', ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { StreamName: 'spool-v1' },
    );

    // Act: today's edge client opens it, delivers, and then accepts one event of its own.
    const client = await EdgeClient.open({
      streamName: 'spool-v1',
      kinesis: kinesis(),
      deviceId: fixture.deviceId,
      spool: { dir },
      signer: testSigner(fixture.deviceId),
    });
    expect(await client.flush(20_000)).toBe(true);
    const [fresh] = await client.send(
      (({ seq: _s, deviceId: _d, eventId: _e, ...rest }) => rest)(detection()),
    );
    expect(await client.flush(20_000)).toBe(true);
    await client.close();
    const onStream = (await readStream(env.kinesis, 'spool-v1')).flatMap((r) => r.userRecords);

    // Assess: exactly the pending entries, in order, each the bytes it was accepted as; none
    // of the acknowledged ones again; the new event's seq above every one the old release
    // handed out; and the spool now says which format it is.
    const expected = fixture.pending.map((e) => Buffer.from(JSON.stringify(e)));
    expect(onStream.slice(0, expected.length)).toEqual(expected);
    expect(onStream).toHaveLength(expected.length + 1);
    const oldSeqs = [...fixture.acknowledged, ...fixture.pending].map((e) => e.seq);
    expect(fresh?.seq).toBeGreaterThan(Math.max(...oldSeqs));
    expect(readFileSync(join(dir, 'FORMAT'), 'utf8')).toBe(`${SPOOL_FORMAT}\n`);
  });

  it('refuses a spool of a newer format, naming both formats and the fix, and touches nothing', async () => {
    // Prepare
    const dir = newerSpool();
    const before = snapshot(dir);

    // Act
    const opening = EdgeClient.open({
      streamName: 'spool-v1',
      kinesis: kinesis(),
      deviceId: fixture.deviceId,
      spool: { dir },
    });

    // Assess
    await expect(opening).rejects.toBeInstanceOf(SpoolFormatError);
    await expect(opening).rejects.toMatchObject({
      found: SPOOL_FORMAT + 1,
      supported: SPOOL_FORMAT,
      message: expect.stringMatching(
        new RegExp(`format ${SPOOL_FORMAT + 1}.*formats up to ${SPOOL_FORMAT}.*[Uu]pgrade`),
      ),
    });
    expect(snapshot(dir)).toEqual(before);
  });

  it('makes the daemon exit non-zero with that message, the spool and seq file untouched', async () => {
    // Prepare
    const dir = newerSpool(7);
    const cfgDir = mkdtempSync(join(tmpdir(), 'spool-v7-cfg-'));
    const config = join(cfgDir, 'edge.json');
    writeFileSync(
      config,
      JSON.stringify({
        streamName: 'spool-v1',
        deviceId: fixture.deviceId,
        endpoint: env.emulators.kinesisEndpoint,
        region: 'us-east-1',
        spool: { dir },
        stdin: false,
      }),
    );
    const before = snapshot(dir);

    // Act
    const run = await runEdgeCli(['run', '--config', config]);

    // Assess: a config-class exit (an operator's fix, not a restart, mends it), the message
    // alone (no stack trace), and not one byte or time changed, seq.json included.
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `spool ${dir} is format 7, and this edge-client reads formats up to ${SPOOL_FORMAT}: a newer edge-client release wrote it. Upgrade the daemon to that release or later (the spool is left as it is; a downgrade cannot read it)`,
    );
    expect(snapshot(dir)).toEqual(before);
    expect(before.files.map((f) => f.name)).toContain('seq.json');
  });
});
