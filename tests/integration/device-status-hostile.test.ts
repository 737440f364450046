import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeClient } from '../../edge-client/src/core/edge-client.js';
import { createKinesisClient } from '../../edge-client/src/producer/kinesis-client.js';
import { eventually } from '../helpers/eventually.js';

/**
 * Hostile review of issue 22 (helper h-attack). A Kinesis endpoint (a stand-in on loopback)
 * that fails every PutRecords entry with an ErrorCode that is not an identifier. The edge
 * client takes the code for its lastError (kinesis-sink.ts), and sendStatus then builds a
 * device_status the contract refuses: the status is never spooled, and, since nothing clears
 * lastError, every later status is refused too, after the uplink recovers, until another
 * error replaces it. The device reads as silent in fleet health while it is up.
 */
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1];
      const body =
        op === 'PutRecords'
          ? {
              FailedRecordCount: 1,
              Records: (
                JSON.parse(Buffer.concat(chunks).toString()) as { Records: unknown[] }
              ).Records.map(() => ({
                ErrorCode: 'Internal Failure (proxy)',
                ErrorMessage: 'injected',
              })),
            }
          : { Shards: [] };
      const text = JSON.stringify(body);
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('Hostile: device_status after an odd delivery error', () => {
  it('still spools a valid status (the code sanitised or left out)', async () => {
    const client = await EdgeClient.open({
      streamName: 'attack-stream',
      kinesis: createKinesisClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      spool: { dir: mkdtempSync(join(tmpdir(), 'attack-spool-')) },
      retryBaseDelayMs: 10,
      retryMaxDelayMs: 20,
    });
    try {
      await client.sendStatus('panel-store-0001-lane-01', 'store-0001', '0.1.0');
      await eventually(async () => expect(client.metrics().lastError).toBeDefined(), 10_000, 20);
      // The uplink's odd error is now the client's lastError.
      await expect(
        client.sendStatus('panel-store-0001-lane-01', 'store-0001', '0.1.0'),
      ).resolves.toMatchObject({ type: 'device_status' });
    } finally {
      await client.close(100).catch(() => undefined);
    }
  });
});
