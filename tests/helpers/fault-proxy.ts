import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../edge-client/src/simulator/random.js';

export interface FaultProxy {
  readonly url: string;
  /** Records failed with ProvisionedThroughputExceededException so far. */
  readonly throttled: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the Kinesis emulator that fails a share of PutRecords entries
 * with `ProvisionedThroughputExceededException`, as Kinesis does under load (the emulators
 * never throttle). Failed entries are removed from the forwarded request, so they really are
 * not written, and an error entry takes their place in the response.
 */
export async function startThrottlingProxy(
  target: string,
  failShare: number,
  seed = 1,
): Promise<FaultProxy> {
  const random = seededRandom(seed);
  let throttled = 0;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const isPut = String(req.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
      let failed: boolean[] = [];
      if (isPut) {
        const parsed = JSON.parse(body.toString()) as { Records: unknown[] };
        failed = parsed.Records.map(() => random() < failShare);
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
            let text = Buffer.concat(out);
            if (isPut && up.statusCode === 200) {
              const response = JSON.parse(text.toString()) as {
                FailedRecordCount: number;
                Records: Record<string, unknown>[];
              };
              const written = [...response.Records];
              response.Records = failed.map((f) => {
                if (!f) return written.shift() as Record<string, unknown>;
                throttled++;
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
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get throttled() {
      return throttled;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
