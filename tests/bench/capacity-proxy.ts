import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type CapacityCount,
  countRequest,
  countResponse,
  emptyCount,
  operationName,
  WRITE_OPERATIONS,
  writtenItemKind,
} from './capacity-counter.js';

export interface CapacityProxy {
  readonly url: string;
  /** The counts so far, per DynamoDB operation (`PutItem`, `Query`, ...). */
  counts(): Record<string, CapacityCount>;
  /** The writes' counts per kind of item written (`store slot`, `org day rollup`, ...). */
  writesByItem(): Record<string, CapacityCount>;
  close(): Promise<void>;
}

/** Where the proxy answers with its counts (a path no DynamoDB request uses). */
export const COUNTS_PATH = '/__bench/capacity-counts';
/** Where it answers with the writes' counts per kind of item. */
export const WRITES_BY_ITEM_PATH = '/__bench/writes-by-item';
/**
 * A POST here keeps a copy of the writes' counts per kind as they stand (the first POST only);
 * a GET answers that copy (`{}` before any POST). A caller that marks between two batches can
 * then tell the writes before the mark from those after.
 */
export const MARK_PATH = '/__bench/mark';

const readAll = async (stream: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * An HTTP proxy in front of the DynamoDB emulator that counts what the handlers behind it
 * read and write, with capacity-counter.ts (the same counting as bench:processor's SDK
 * middleware): it adds `ReturnConsumedCapacity: TOTAL` to every read and write it forwards and
 * sums what the emulator reports. For handlers that build their own SDK clients (the
 * deployed ones, on the embedded stack), so that nothing in them changes. The emulator does
 * not check request signatures, so rewriting the body is harmless; responses pass unchanged.
 * Run as a process of its own (`node --import tsx capacity-proxy.ts <target>` prints its port),
 * its parsing is not charged to the process it counts for.
 */
export async function startCapacityProxy(target: string): Promise<CapacityProxy> {
  const upstream = new URL(target);
  const counts: Record<string, CapacityCount> = {};
  const byItem: Record<string, CapacityCount> = {};
  let marked: Record<string, CapacityCount> | undefined;
  const server = createServer(async (req, res) => {
    if (req.url === MARK_PATH && (req.method === 'POST' || req.method === 'GET')) {
      if (req.method === 'POST') marked ??= structuredClone(byItem);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(marked ?? {}));
      return;
    }
    if (req.method === 'GET' && req.url === COUNTS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
      return;
    }
    if (req.method === 'GET' && req.url === WRITES_BY_ITEM_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(byItem));
      return;
    }
    try {
      let body = await readAll(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = operationName(target);
      let counted = false;
      let kind: CapacityCount | undefined;
      if (target !== '' && body.byteLength > 0) {
        const input = JSON.parse(body.toString('utf8')) as unknown;
        counts[operation] ??= emptyCount();
        counted = countRequest(counts[operation], operation, input);
        if (counted && WRITE_OPERATIONS.has(operation)) {
          kind = byItem[writtenItemKind(operation, input)] ??= emptyCount();
          countRequest(kind, operation, structuredClone(input));
        }
        if (counted) body = Buffer.from(JSON.stringify(input));
      }
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': String(body.byteLength) },
        },
        async (answer) => {
          const reply = await readAll(answer);
          if (counted && answer.statusCode === 200) {
            const output = JSON.parse(reply.toString('utf8')) as unknown;
            countResponse(counts[operation] as CapacityCount, operation, output);
            if (kind !== undefined) countResponse(kind, operation, output);
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(reply);
        },
      );
      forwarded.on('error', () => {
        res.writeHead(502).end();
      });
      forwarded.end(body);
    } catch {
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => structuredClone(counts),
    writesByItem: () => structuredClone(byItem),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const proxy = await startCapacityProxy(process.argv[2] as string);
  console.log(new URL(proxy.url).port);
}
