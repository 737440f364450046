/**
 * `npm run bench:crosscheck`: the capacity units of a bench's requests as dynalite and
 * as Amazon's DynamoDB Local compute them, request by request. A proxy sends every request to
 * both (dynalite first, then DynamoDB Local, each holding the same items because each gets the
 * same writes) and answers with dynalite's reply, so the bench runs once, exactly as it does on
 * dynalite, and each request is billed twice. Prints, per operation and table, the requests,
 * both unit totals and how many requests they differ on (with the first few), then one JSON
 * line.
 * The bench is bench:processor, or bench:fleet if the first argument is `fleet` (its baseline
 * profile only); the other arguments go to it. Needs DynamoDB Local (dynamodb-emulator.ts).
 *
 *   npm run bench:crosscheck -- [--events 20000] [--stores 50] [--lanes 12]
 *   npm run bench:crosscheck -- fleet --minutes 1 --stores 50
 */
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { operationName } from './capacity-counter.js';
import { startDynamoDb } from './dynamodb-emulator.js';

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

interface OperationTally {
  requests: number;
  dynaliteUnits: number;
  localUnits: number;
  /** Requests whose units differ, and those the two answered with different statuses. */
  differing: number;
  statusDiffers: number;
  examples: { request: string; dynalite: number; local: number }[];
}

const readAll = async (stream: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, 'content-length': String(body.byteLength) },
      },
      async (answer) =>
        resolve({
          status: answer.statusCode ?? 502,
          headers: answer.headers,
          body: await readAll(answer),
        }),
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** The units a reply reports (0 for an error or none). */
function unitsOf(reply: Reply): number {
  if (reply.status !== 200 || reply.body.byteLength === 0) return 0;
  const consumed = (JSON.parse(reply.body.toString('utf8')) as { ConsumedCapacity?: unknown })
    .ConsumedCapacity;
  return [consumed ?? []]
    .flat()
    .reduce((s: number, c) => s + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
}

/** The table a request names (the first, for a batch), '' if none. */
function tableOf(body: Buffer): string {
  if (body.byteLength === 0) return '';
  const request = JSON.parse(body.toString('utf8')) as {
    TableName?: string;
    RequestItems?: Record<string, unknown>;
  };
  return request.TableName ?? Object.keys(request.RequestItems ?? {})[0] ?? '';
}

/** What an example request was about, short: its keys (or items) truncated. */
function describeRequest(body: Buffer): string {
  const text = body.toString('utf8');
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

const [dynalite, local] = await Promise.all([startDynamoDb('dynalite'), startDynamoDb('local')]);
process.on('exit', () => {
  dynalite.child?.kill();
  local.child?.kill();
});
const tallies: Record<string, OperationTally> = {};
const primary = new URL(dynalite.endpoint);
const shadow = new URL(local.endpoint);
const server = createServer(async (req, res) => {
  try {
    const body = await readAll(req);
    const operation = operationName(String(req.headers['x-amz-target'] ?? ''));
    // Per operation and table: the bench's phases (its processor, the baseline) use tables of their own.
    const key = `${operation} ${tableOf(body)}`;
    const first = await forward(primary, req, body);
    const second = await forward(shadow, req, body);
    if (operation !== '') {
      tallies[key] ??= {
        requests: 0,
        dynaliteUnits: 0,
        localUnits: 0,
        differing: 0,
        statusDiffers: 0,
        examples: [],
      };
      const t = tallies[key];
      const [a, b] = [unitsOf(first), unitsOf(second)];
      t.requests++;
      t.dynaliteUnits += a;
      t.localUnits += b;
      if (first.status !== second.status) t.statusDiffers++;
      if (a !== b) {
        t.differing++;
        if (t.examples.length < 3)
          t.examples.push({ request: describeRequest(body), dynalite: a, local: b });
      }
    }
    res.writeHead(first.status, first.headers).end(first.body);
  } catch {
    res.writeHead(502).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const fleet = process.argv[2] === 'fleet';
const bench = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL(fleet ? 'fleet.ts' : 'processor.ts', import.meta.url)),
    ...process.argv.slice(fleet ? 3 : 2),
    '--dynamodb',
    proxyUrl,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const code = await new Promise<number>((resolve) => bench.on('exit', (c) => resolve(c ?? 1)));
server.close();

const round = (n: number) => Math.round(n * 10) / 10;
console.log(
  `\n${'operation, table'.padEnd(36)}${'requests'.padStart(10)}${'dynalite units'.padStart(16)}${'DynamoDB Local'.padStart(16)}${'difference'.padStart(12)}${'requests differing'.padStart(20)}`,
);
for (const [key, t] of Object.entries(tallies)) {
  if (t.dynaliteUnits === 0 && t.localUnits === 0) continue;
  console.log(
    `${key.padEnd(36)}${String(t.requests).padStart(10)}${String(round(t.dynaliteUnits)).padStart(16)}${String(round(t.localUnits)).padStart(16)}${String(round(t.dynaliteUnits - t.localUnits)).padStart(12)}${String(t.differing).padStart(20)}`,
  );
  for (const e of t.examples)
    console.log(`  e.g. dynalite ${e.dynalite}, DynamoDB Local ${e.local}: ${e.request}`);
}
console.log(
  JSON.stringify({
    bench: 'capacity-crosscheck',
    of: fleet ? 'fleet' : 'processor',
    local: local.name,
    operations: tallies,
  }),
);
process.exit(code);
