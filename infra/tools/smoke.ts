import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { countersOf, deleteRegistryEntries, putRegistryEntries } from '#adapters';
import { STAGES, type StageName, stackNameOf } from '#cdk';
import { summaryItemKey } from '#domain/aggregate-keys';
import { shrinkFigures } from '#domain/impact-report';
import { createKinesisClient, EdgeClient } from '#edge-client';
import { LOCAL_PORTS } from '#shared/resources';
import { parseCommandLine, sleep } from '#utils';
import { rawPublicKey } from '#wire';
import { pointAtLocalStack, runTool } from './run-tool.js';
import { describeStackOutputs, readOutputsFile, requireOutputs } from './stack-outputs.js';

/** The reserved region of smoke-test stores: no real store is registered in it. */
const SMOKE_REGION = 'smoke-test';

const USAGE = `npm run smoke -- (--stage dev|prod | --stack NAME | --outputs FILE | --local) [options]

Checks a deployed stack end to end, one line per step with its latency:
  outputs          reads the stack's outputs (StreamName, ApiUrl, RegistryTable, AggregatesTable)
  register         registers a test store (test: true, region ${SMOKE_REGION}) and a panel PC
                   with a fresh Ed25519 key, both named smoke-<stage>-<run id>
  send             sends one marked detection (estimatedLossCents 0) through the edge client,
                   signed with that key, put to the stream
  count            waits until GET /v1/stores/{storeId}/shrink counts it (with the token)
  unauthenticated  the same route without a token must answer 401
  cleanup          deletes the registry entries it made (runs whatever failed before; if the
                   count step did not see the event, it first waits, within --timeout, until
                   the store day in AggregatesTable has it, so that a failed run leaves no
                   dead letter behind)
A test store's events count in its own store days only: no region or organisation figure
(/v1/impact, the leaderboard) includes them. Its store-day item stays, unreachable once the
store is deleted.

  --stage S        the CDK app's stack for stage S (${STAGES.map((s) => stackNameOf(s)).join(', ')})
  --stack NAME     that CloudFormation stack (DescribeStacks)
  --outputs FILE   the file \`cdk deploy --outputs-file FILE\` wrote (with --stack or --stage
                   when it holds several stacks)
  --local          the embedded stack (npm start): API_PORT, KINESIS_PORT, DYNAMODB_PORT
                   (default ${LOCAL_PORTS.api}, ${LOCAL_PORTS.kinesis}, ${LOCAL_PORTS.dynamodb}), local names
  --token T        ID token of a leadership user made for this (default $SMOKE_TOKEN); never
                   printed. Locally: SMOKE_TOKEN=$(npm run -s token -- --role leadership)
  --timeout S      how long the count step waits, in seconds (default 120)
  --json           one JSON document instead of text

Uses the AWS SDK's usual credentials and region. Exit 0 when every step passed, 1 when one
failed, 2 on a malformed command line.`;

const NEEDED = ['StreamName', 'ApiUrl', 'RegistryTable', 'AggregatesTable'] as const;
type Needed = Record<(typeof NEEDED)[number], string>;

interface StepResult {
  readonly step: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly ms?: number;
  readonly detail: string;
}

/** A step's failure, with the one line that says why. */
class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}

interface Flags {
  readonly source:
    | { kind: 'stack'; name: string }
    | { kind: 'file'; file: string; name?: string }
    | { kind: 'local' };
  readonly token: string;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly stage: string;
}

function readFlags(): Flags | undefined {
  const { values } = parseCommandLine(
    {
      options: {
        stage: { type: 'string' },
        stack: { type: 'string' },
        outputs: { type: 'string' },
        local: { type: 'boolean', default: false },
        token: { type: 'string' },
        timeout: { type: 'string', default: '120' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const usageError = (message: string): never => {
    process.stderr.write(`${message}\n\n${USAGE}\n`);
    process.exit(2);
  };
  if (values.stage !== undefined && !(STAGES as readonly string[]).includes(values.stage)) {
    usageError(`--stage must be one of ${STAGES.join(', ')}`);
  }
  if (values.stage !== undefined && values.stack !== undefined)
    usageError('give --stage or --stack, not both');
  const name =
    values.stack ??
    (values.stage === undefined ? undefined : stackNameOf(values.stage as StageName));
  if (values.local && (name !== undefined || values.outputs !== undefined))
    usageError('--local reads no stack: drop --stage, --stack and --outputs');
  const source: Flags['source'] | undefined = values.local
    ? { kind: 'local' }
    : values.outputs !== undefined
      ? { kind: 'file', file: values.outputs, ...(name !== undefined && { name }) }
      : name !== undefined
        ? { kind: 'stack', name }
        : undefined;
  if (source === undefined)
    return usageError('name the stack: --stage, --stack, --outputs or --local');
  const token = values.token ?? process.env.SMOKE_TOKEN;
  if (token === undefined || token === '')
    return usageError(
      'no token: pass --token or set SMOKE_TOKEN (an ID token of a leadership user)',
    );
  const timeout = Number(values.timeout);
  if (!(timeout > 0) || timeout > 3_600) usageError('--timeout is 1 to 3600 seconds');
  return {
    source,
    token,
    timeoutMs: timeout * 1_000,
    json: values.json,
    stage: values.local ? 'local' : (values.stage ?? 'stack'),
  };
}

async function readOutputs(source: Flags['source']): Promise<{ name: string; outputs: Needed }> {
  switch (source.kind) {
    case 'local':
      return {
        name: 'embedded stack',
        outputs: requireOutputs(pointAtLocalStack(), NEEDED, 'local'),
      };
    case 'file': {
      const outputs = readOutputsFile(source.file, source.name);
      return {
        name: source.name ?? source.file,
        outputs: requireOutputs(outputs, NEEDED, source.file),
      };
    }
    case 'stack': {
      const outputs = await describeStackOutputs(source.name);
      return {
        name: source.name,
        outputs: requireOutputs(outputs, NEEDED, `stack ${source.name}`),
      };
    }
  }
}

/** Runs `fn` as step `name`, timed; a throw is the step's failure, with its message. */
async function timed(step: string, fn: () => Promise<string>): Promise<StepResult> {
  const started = performance.now();
  try {
    const detail = await fn();
    return { step, status: 'pass', ms: Math.round(performance.now() - started), detail };
  } catch (error) {
    return {
      step,
      status: 'fail',
      ms: Math.round(performance.now() - started),
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

const skipped = (step: string, after: string): StepResult => ({
  step,
  status: 'skip',
  detail: `skipped: ${after} failed`,
});

/** The shrink route of `storeId` for `date`, with `token` if given (never logged). */
async function getShrink(apiUrl: string, storeId: string, date: string, token?: string) {
  const url = `${apiUrl.replace(/\/+$/, '')}/v1/stores/${encodeURIComponent(storeId)}/shrink?from=${date}&to=${date}`;
  const res = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as { total?: { detections?: number } } | undefined };
}

/** Waits until the store's figures count the smoke event; refuses at once on 401 or 403. */
async function waitForCount(
  apiUrl: string,
  storeId: string,
  date: string,
  token: string,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (let polls = 1; ; polls++) {
    try {
      const res = await getShrink(apiUrl, storeId, date, token);
      if (res.status === 401 || res.status === 403) {
        throw new StepFailure(
          `the API refused the token (${res.status}): pass an unexpired ID token of a leadership user (--token or SMOKE_TOKEN)`,
        );
      }
      const detections = res.body?.total?.detections;
      if (res.status === 200 && detections !== undefined && detections > 0) {
        if (detections !== 1)
          throw new StepFailure(`counted ${detections} detections for one smoke event`);
        return `counted after ${polls} poll(s)`;
      }
      // 404: the API has not seen the new store yet (its registry cache); 200 with 0: not counted yet.
      last = res.status === 200 ? 'not counted yet' : `HTTP ${res.status}`;
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new StepFailure(
        `not counted within ${timeoutMs / 1000} s (last: ${last}); see npm run pipeline-status and npm run dead-letters`,
      );
    }
    await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
  }
}

/** Waits, until `deadline`, for the test store's day item to count the event; whether it did. */
async function waitForStoreDay(
  dynamodb: DynamoDBClient,
  table: string,
  storeId: string,
  date: string,
  deadline: number,
): Promise<boolean> {
  const key = summaryItemKey({ kind: 'store-day', storeId, date });
  for (;;) {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        ConsistentRead: true,
      }),
    );
    if (Item !== undefined && shrinkFigures(countersOf(Item)).detections > 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
  }
}

interface Run {
  readonly stack?: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly eventId?: string;
  readonly steps: StepResult[];
}

async function smoke(flags: Flags): Promise<Run> {
  const runId = ulid().toLowerCase();
  const storeId = `smoke-${flags.stage}-${runId}`;
  const deviceId = `${storeId}-panel`;
  const steps: StepResult[] = [];
  let found: { name: string; outputs: Needed } | undefined;
  steps.push(
    await timed('outputs', async () => {
      found = await readOutputs(flags.source);
      return `${found.name}: stream ${found.outputs.StreamName}, API ${found.outputs.ApiUrl}`;
    }),
  );
  if (found === undefined) {
    for (const s of ['register', 'send', 'count', 'unauthenticated', 'cleanup'])
      steps.push(skipped(s, 'outputs'));
    return { storeId, deviceId, steps };
  }
  const { outputs } = found;
  const dynamodb = new DynamoDBClient({});
  const kinesis = createKinesisClient({ maxAttempts: 3 });
  const spoolDir = mkdtempSync(join(tmpdir(), 'smoke-spool-'));
  const at = Date.now();
  const date = new Date(at).toISOString().slice(0, 10);
  let eventId: string | undefined;
  try {
    const { privateKey } = generateKeyPairSync('ed25519');
    const register = await timed('register', async () => {
      await putRegistryEntries(dynamodb, outputs.RegistryTable, {
        stores: [{ storeId, region: SMOKE_REGION, timeZone: 'UTC', test: true }],
        devices: [
          {
            deviceId,
            kind: 'panel',
            storeId,
            keys: [
              {
                keyId: 'smoke-1',
                publicKey: rawPublicKey(privateKey),
                validFrom: new Date(at - 60_000).toISOString(),
              },
            ],
          },
        ],
      });
      return `store ${storeId} (test, region ${SMOKE_REGION}), device ${deviceId}`;
    });
    steps.push(register);
    const send =
      register.status !== 'pass'
        ? skipped('send', 'register')
        : await timed('send', async () => {
            const client = await EdgeClient.open({
              streamName: outputs.StreamName,
              kinesis,
              deviceId,
              spool: { dir: spoolDir },
              lingerMs: 0,
              signer: { signer: deviceId, keyId: 'smoke-1', privateKey },
            });
            try {
              const [event] = await client.send({
                type: 'detection',
                occurredAt: new Date(at).toISOString(),
                storeId,
                detectionId: ulid(at),
                laneId: 'smoke-lane',
                category: 'other',
                confidence: 1,
                estimatedLossCents: 0,
                model: { name: 'smoke-test', version: '1' },
              });
              eventId = event?.eventId;
              if (!(await client.flush(30_000))) {
                const error = client.metrics().lastError;
                throw new StepFailure(
                  `the stream did not acknowledge the event within 30 s${error === undefined ? '' : ` (last error ${error.code})`}`,
                );
              }
            } finally {
              await client.close(1_000);
            }
            return `event ${eventId} put to ${outputs.StreamName}, signed by ${deviceId}`;
          });
    steps.push(send);
    const deadline = Date.now() + flags.timeoutMs;
    const count =
      send.status !== 'pass'
        ? skipped('count', 'send')
        : await timed('count', () =>
            waitForCount(outputs.ApiUrl, storeId, date, flags.token, flags.timeoutMs),
          );
    steps.push(count);
    steps.push(
      await timed('unauthenticated', async () => {
        const res = await getShrink(outputs.ApiUrl, storeId, date);
        if (res.status !== 401)
          throw new StepFailure(`expected 401 without a token, got ${res.status}`);
        return 'refused with 401';
      }),
    );
    steps.push(
      await timed('cleanup', async () => {
        // An event sent but not seen counted may still be on its way: deleting its device now
        // would dead-letter it (unknown_device). Wait for it in the table, as long as allowed.
        const pending =
          send.status === 'pass' &&
          count.status !== 'pass' &&
          !(await waitForStoreDay(dynamodb, outputs.AggregatesTable, storeId, date, deadline));
        await deleteRegistryEntries(dynamodb, outputs.RegistryTable, {
          storeIds: [storeId],
          deviceIds: [deviceId],
        });
        return `deleted store ${storeId} and device ${deviceId} from ${outputs.RegistryTable}${
          pending
            ? `; the event was not processed yet and will be dead-lettered as unknown_device`
            : ''
        }`;
      }),
    );
  } finally {
    dynamodb.destroy();
    kinesis.destroy();
    rmSync(spoolDir, { recursive: true, force: true });
  }
  return { stack: found.name, storeId, deviceId, ...(eventId !== undefined && { eventId }), steps };
}

function printText(run: Run): void {
  for (const s of run.steps) {
    const ms = s.ms === undefined ? '-' : `${s.ms} ms`;
    console.log(`${s.status.padEnd(4)}  ${s.step.padEnd(15)}  ${ms.padStart(9)}  ${s.detail}`);
  }
  const ok = run.steps.every((s) => s.status === 'pass');
  console.log(ok ? 'smoke test passed' : 'smoke test FAILED');
}

async function main() {
  const flags = readFlags();
  if (flags === undefined) return;
  const run = await smoke(flags);
  const ok = run.steps.every((s) => s.status === 'pass');
  if (flags.json) console.log(JSON.stringify({ ok, ...run }));
  else printText(run);
  if (!ok) process.exitCode = 1;
}

runTool(main);
