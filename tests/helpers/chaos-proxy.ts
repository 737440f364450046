import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../edge-client/src/simulator/random.js';

/** What the proxy does to the traffic passing it; change it at any time. */
export interface ChaosSettings {
  /** Drop every connection, as if the emulator were down. */
  down: boolean;
  /** Share of PutRecords entries failed with ProvisionedThroughputExceededException (not written). */
  putRecordsFailShare: number;
  /** Share of writes refused with a 500 before they reach the emulator. */
  refuseWriteShare: number;
  /** Share of writes forwarded and applied, whose answer is then replaced by a 500. */
  loseAckShare: number;
}

export interface ChaosProxy {
  readonly url: string;
  readonly settings: ChaosSettings;
  readonly counts: { throttled: number; refused: number; lostAcks: number; dropped: number };
  close(): Promise<void>;
}

const WRITES = new Set([
  'PutRecords',
  'PutRecord',
  'PutItem',
  'UpdateItem',
  'BatchWriteItem',
  'DeleteItem',
]);

function internalError(res: ServerResponse, target: string): void {
  const dynamo = target.startsWith('DynamoDB');
  const body = JSON.stringify({
    __type: dynamo ? 'com.amazonaws.dynamodb.v20120810#InternalServerError' : 'InternalFailure',
    message: 'injected fault',
  });
  res.writeHead(500, {
    'content-type': dynamo ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * An HTTP proxy in front of a Kinesis or DynamoDB emulator that injects the faults the real
 * services and networks produce and the emulators never do: an outage, throttled PutRecords
 * entries (really not written), writes refused before they land, and writes that land with
 * their acknowledgement lost (the caller retries, not knowing it succeeded). Seeded, so a run
 * can be repeated.
 */
export async function startChaosProxy(
  target: string,
  initial: Partial<ChaosSettings> = {},
  seed = 1,
): Promise<ChaosProxy> {
  const random = seededRandom(seed);
  const settings: ChaosSettings = {
    down: false,
    putRecordsFailShare: 0,
    refuseWriteShare: 0,
    loseAckShare: 0,
    ...initial,
  };
  const counts = { throttled: 0, refused: 0, lostAcks: 0, dropped: 0 };
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    if (settings.down) {
      counts.dropped++;
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const xTarget = String(req.headers['x-amz-target'] ?? '');
      const operation = xTarget.split('.')[1] ?? '';
      const isWrite = WRITES.has(operation);
      const roll = isWrite ? random() : 1;
      if (roll < settings.refuseWriteShare) {
        counts.refused++;
        internalError(res, xTarget);
        return;
      }
      const loseAck = roll < settings.refuseWriteShare + settings.loseAckShare;
      let failed: boolean[] = [];
      if (operation === 'PutRecords' && settings.putRecordsFailShare > 0) {
        const parsed = JSON.parse(body.toString()) as { Records: unknown[] };
        failed = parsed.Records.map(() => random() < settings.putRecordsFailShare);
        parsed.Records = parsed.Records.filter((_, i) => !failed[i]);
        body = Buffer.from(JSON.stringify(parsed));
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, 'content-length': body.byteLength },
        },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            if (loseAck) {
              counts.lostAcks++;
              internalError(res, xTarget);
              return;
            }
            let text = Buffer.concat(out);
            if (failed.some(Boolean) && up.statusCode === 200) {
              const response = JSON.parse(text.toString()) as {
                FailedRecordCount: number;
                Records: Record<string, unknown>[];
              };
              const written = [...response.Records];
              response.Records = failed.map((f) => {
                if (!f) return written.shift() as Record<string, unknown>;
                counts.throttled++;
                return {
                  ErrorCode: 'ProvisionedThroughputExceededException',
                  ErrorMessage: 'Rate exceeded for shard (injected)',
                };
              });
              response.FailedRecordCount += failed.filter(Boolean).length;
              text = Buffer.from(JSON.stringify(response));
            }
            res.writeHead(up.statusCode ?? 500, {
              ...up.headers,
              'content-length': text.byteLength,
            });
            res.end(text);
          });
        },
      );
      forward.on('error', () => internalError(res, xTarget));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    settings,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
