/**
 * One profile's embedded stack for `npm run bench:fleet`, in a process of its own so that the
 * processor's CPU is measured apart from the lanes and the emulators (each in theirs). It runs
 * the deployed processor behind the event-source poller with the profile's settings, and the
 * impact API, both reaching DynamoDB through the counting proxy (capacity-proxy.ts). Talks to
 * its parent over IPC: `ready` (API URL and a leadership token), then on `stop` the figures.
 *
 *   node --import tsx fleet-stack.ts '<FleetStackConfig as JSON>'
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import { openRecord } from '#wire';
import { startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import type { KinesisHandler } from '../../infra/local/event-source-poller.js';
import { MARK_PATH } from './capacity-proxy.js';
import { recordBilling } from './fleet-metrics.js';

export interface FleetStackConfig {
  readonly dataDir: string;
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** Where the handlers reach DynamoDB: the counting proxy (capacity-proxy.ts) in front of it. */
  readonly handlerDynamodbEndpoint: string;
  readonly eventSource: {
    readonly batchSize: number;
    readonly maxBatchingWindowMs: number;
    /** The poller's idle wait between empty reads (EventSourcePoller). */
    readonly pollIntervalMs: number;
    /** The poller's invocation payload cap (EventSourcePoller; Lambda's 6 MB by default). */
    readonly maxPayloadBytes?: number;
  };
}

/**
 * Sent by the parent when its intake starts: from `at` (epoch ms) on, the stack marks the
 * counting proxy's writes (MARK_PATH) before its next invocation, and tallies what it hands
 * the processor after the mark apart (`afterMark`).
 */
export interface MarkMessage {
  readonly type: 'mark';
  readonly at: number;
}

/** What the stack measured, sent to the parent on `stop`. */
export interface FleetStackReport {
  readonly invocations: number;
  /** Processor CPU (user + system) of each invocation, ms. */
  readonly invocationCpuMs: number[];
  /** Wall time of each invocation, ms. */
  readonly invocationMs: number[];
  /**
   * Records and events per invocation (the events that count: device statuses apart), the
   * distinct stores (else devices) those events touched, and the statuses it held.
   */
  readonly batchRecords: number[];
  readonly batchEvents: number[];
  readonly batchStores: number[];
  readonly batchStatuses: number[];
  /** Each invocation's payload as Lambda would send it (the event's JSON), bytes. */
  readonly batchPayloadBytes: number[];
  /** Distinct Kinesis records the processor was handed, and the user records inside them. */
  readonly records: number;
  readonly userRecords: number;
  /**
   * Of the user records, the devices' own statuses; the records that held nothing else; and
   * the statuses' share of the records and of their billing, each record's split by the share
   * of its user records' bytes (uncompressed) that are statuses: an estimate for a record
   * that holds both.
   */
  readonly statusUserRecords: number;
  readonly statusOnlyRecords: number;
  readonly statusRecordShare: number;
  readonly statusKinesisKb: number;
  readonly statusFirehoseBytes: number;
  /** Counted events and statuses handed over after the mark (MarkMessage), if it was made. */
  readonly afterMark?: { readonly at: number; readonly events: number; readonly statuses: number };
  readonly refusedRecords: number;
  readonly kinesisKb: number;
  readonly putPayloadUnits: number;
  readonly firehoseBytes: number;
  readonly recordBytes: number;
  readonly failedItems: number;
  readonly pollerErrors: number;
  /**
   * Per distinct record, in the order handed over: its arrival (epoch ms), user records that
   * count (statuses apart), billed Kinesis KB and Firehose-billed bytes; for figures over part
   * of the run.
   */
  readonly recordLog: (readonly [number, number, number, number])[];
}

const STORE_ID = /"storeId":"([^"\\]+)"/;
const STATUS = '"type":"device_status"';
const DEVICE_ID = /"deviceId":"([^"\\]+)"/;

const config = JSON.parse(process.argv[2] as string) as FleetStackConfig;
const seen = new Set<string>();
const report = {
  invocations: 0,
  invocationCpuMs: [] as number[],
  invocationMs: [] as number[],
  batchRecords: [] as number[],
  batchEvents: [] as number[],
  batchStores: [] as number[],
  batchStatuses: [] as number[],
  batchPayloadBytes: [] as number[],
  records: 0,
  userRecords: 0,
  statusUserRecords: 0,
  statusOnlyRecords: 0,
  statusRecordShare: 0,
  statusKinesisKb: 0,
  statusFirehoseBytes: 0,
  afterMark: undefined as { at: number; events: number; statuses: number } | undefined,
  refusedRecords: 0,
  kinesisKb: 0,
  putPayloadUnits: 0,
  firehoseBytes: 0,
  recordBytes: 0,
  failedItems: 0,
  pollerErrors: 0,
  recordLog: [] as [number, number, number, number][],
};

/** Tallies a batch after the processor returned, so that its CPU is not the processor's. */
function tally(event: KinesisStreamEvent) {
  const stores = new Set<string>();
  let events = 0;
  let statuses = 0;
  for (const r of event.Records) {
    const data = Buffer.from(r.kinesis.data, 'base64');
    const opened = openRecord(data);
    const users =
      opened.kind === 'plain'
        ? [opened.data]
        : opened.kind === 'aggregate'
          ? opened.users.map((u) => u.data)
          : [];
    let mine = 0;
    let bytes = 0;
    let statusBytes = 0;
    for (const u of users) {
      const head = Buffer.from(u.buffer, u.byteOffset, Math.min(u.byteLength, 1024)).toString();
      bytes += u.byteLength;
      if (head.includes(STATUS)) {
        mine++;
        statusBytes += u.byteLength;
        continue;
      }
      stores.add(STORE_ID.exec(head)?.[1] ?? DEVICE_ID.exec(head)?.[1] ?? '?');
    }
    events += users.length - mine;
    statuses += mine;
    if (seen.has(r.kinesis.sequenceNumber)) continue;
    seen.add(r.kinesis.sequenceNumber);
    const billing = recordBilling({ data, partitionKey: r.kinesis.partitionKey });
    const share = bytes === 0 ? 0 : statusBytes / bytes;
    report.records++;
    report.userRecords += users.length;
    report.statusUserRecords += mine;
    if (mine > 0 && mine === users.length) report.statusOnlyRecords++;
    report.statusRecordShare += share;
    report.statusKinesisKb += share * billing.kinesisKb;
    report.statusFirehoseBytes += share * billing.firehoseBytes;
    if (opened.kind === 'refused') report.refusedRecords++;
    report.kinesisKb += billing.kinesisKb;
    report.putPayloadUnits += billing.putPayloadUnits;
    report.firehoseBytes += billing.firehoseBytes;
    report.recordBytes += data.byteLength + Buffer.byteLength(r.kinesis.partitionKey);
    report.recordLog.push([
      Math.round(r.kinesis.approximateArrivalTimestamp * 1000),
      users.length - mine,
      billing.kinesisKb,
      billing.firehoseBytes,
    ]);
  }
  report.batchRecords.push(event.Records.length);
  report.batchEvents.push(events);
  report.batchStores.push(stores.size);
  report.batchStatuses.push(statuses);
  report.batchPayloadBytes.push(Buffer.byteLength(JSON.stringify(event)));
  if (report.afterMark !== undefined) {
    report.afterMark.events += events;
    report.afterMark.statuses += statuses;
  }
}

/** When the parent asked for the mark (MarkMessage), and whether it is made. */
let markAt: number | undefined;

/** Marks the proxy's counts between two invocations (one batch in flight: nothing straddles). */
async function markIfDue() {
  if (markAt === undefined || report.afterMark !== undefined || Date.now() < markAt) return;
  const res = await fetch(`${config.handlerDynamodbEndpoint}${MARK_PATH}`, { method: 'POST' });
  await res.arrayBuffer();
  report.afterMark = { at: Date.now(), events: 0, statuses: 0 };
}

const instrument =
  (processor: KinesisHandler): KinesisHandler =>
  async (event) => {
    // One shard, one batch in flight: the process does little else while this runs (the
    // poller's reads, and the API answering the parent's probe about once a second).
    await markIfDue();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const answer = await processor(event);
    const cpu = process.cpuUsage(cpu0);
    report.invocationMs.push(performance.now() - t0);
    report.invocationCpuMs.push((cpu.user + cpu.system) / 1000);
    report.invocations++;
    report.failedItems += answer?.batchItemFailures?.length ?? 0;
    tally(event);
    return answer;
  };

const stack = await startEmbeddedStack({
  dataDir: config.dataDir,
  ports: { api: 0, kinesis: 0, dynamodb: 0 },
  shardCount: 1,
  externalEmulators: {
    kinesisEndpoint: config.kinesisEndpoint,
    dynamodbEndpoint: config.dynamodbEndpoint,
  },
  eventSource: config.eventSource,
  archive: false,
  apiThrottle: {
    stage: { rateLimit: 10_000, burstLimit: 10_000 },
    perCaller: { rateLimit: 10_000, burstLimit: 10_000 },
  },
  handlerEndpoints: async (direct) => ({
    kinesis: direct.kinesis,
    dynamodb: config.handlerDynamodbEndpoint,
  }),
  wrapProcessor: instrument,
  // Every writer of the bench signs (lane-topology.ts): the processor refuses what does not,
  // as deployed, whatever the local stack's migration setting.
  unsignedRecords: 'refuse',
  onError: () => {
    report.pollerErrors++;
  },
});
const token = await stack.issuer.sign(
  { sub: 'bench-fleet', 'custom:role': 'leadership' },
  6 * 3600,
);
process.send?.({ type: 'ready', apiUrl: stack.apiUrl, token });
process.on('message', async (message: { type: string } | MarkMessage) => {
  if (message.type === 'mark') markAt = (message as MarkMessage).at;
  if (message.type !== 'stop') return;
  await stack.stop();
  process.send?.({ type: 'report', report: report satisfies FleetStackReport }, () =>
    process.exit(0),
  );
});
