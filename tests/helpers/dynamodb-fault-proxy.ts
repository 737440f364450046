import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../edge-client/src/simulator/random.js';

export interface DynamoDbFaultProxy {
  readonly url: string;
  /** Writes that landed but whose answer was replaced by a 500 (a crash right after writing). */
  readonly lostAcks: number;
  /** Writes refused with a 500 before reaching the emulator. */
  readonly refused: number;
  close(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem']);

/**
 * An HTTP proxy in front of the DynamoDB emulator that makes writes fail the two ways a
 * crashing or partitioned processor sees: refused before they land, or landed with the answer
 * lost (the caller retries or dies not knowing it succeeded). Reads pass untouched.
 */
export async function startDynamoDbFaultProxy(
  target: string,
  shares: { refuse: number; loseAck: number },
  seed = 7,
): Promise<DynamoDbFaultProxy> {
  const random = seededRandom(seed);
  let lostAcks = 0;
  let refused = 0;
  const upstream = new URL(target);
  const fail = (res: import('node:http').ServerResponse) => {
    const body = JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: 'injected fault',
    });
    res.writeHead(500, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const roll = WRITES.has(operation) ? random() : 1;
      if (roll < shares.refuse) {
        refused++;
        fail(res);
        return;
      }
      const loseAck = roll < shares.refuse + shares.loseAck;
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            if (loseAck) {
              lostAcks++;
              fail(res);
              return;
            }
            res.writeHead(up.statusCode ?? 500, up.headers);
            res.end(Buffer.concat(out));
          });
        },
      );
      forward.on('error', () => fail(res));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get lostAcks() {
      return lostAcks;
    },
    get refused() {
      return refused;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
