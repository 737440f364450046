/**
 * `npm run bench:archive`: the raw archive's Firehose transform (the deployed handler, zod
 * parse of the event included) on one Firehose event of 1 MB of record data and one of the
 * deployed buffer size (ARCHIVE_TRANSFORM_BUFFER_MB), for (a) honest edge-client records: the
 * simulator's events through the edge client's own record builder, both as full aggregates and
 * at the fleet's shape (a store's few events per delivery); (b) the hostile mixes of issue 17
 * that cost the most per input byte: ~1 MiB of one repeated event in ~4 KB of gzip (with and
 * without one refused user record), and ~1 MiB of distinct events that differ only in `seq`
 * (what a memo cannot fold) with one refused. The honest cases are the baseline, measured in
 * the same run. Prints a table and a last JSON line: time, CPU, request and response bytes
 * (Firehose's limit is 6 MB each way), the largest line per record byte, and the time
 * projected at the deployed memory from the CPU time.
 */
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Context, FirehoseTransformationResult } from 'aws-lambda';
import type { TelemetryEvent } from '#contract';
import { defineFleet, FleetSimulator } from '#simulator';
import { encodeAggregate, MAX_INFLATED_BYTES } from '#wire';
import { buildRecords } from '../../edge-client/src/aggregation/record-builder.js';
import type { FirehoseKinesisEvent } from '../../functions/archive/firehose-transform.js';
import { handler } from '../../functions/archive/firehose-transform.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import {
  ARCHIVE_TRANSFORM_BUFFER_MB,
  FUNCTION_SIZING,
} from '../../infra/cdk/constructs/function-defaults.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: `1,${ARCHIVE_TRANSFORM_BUFFER_MB}` },
    rounds: { type: 'string', default: '3' },
  },
});
const SIZES = [...new Set(values.mb.split(',').map(Number))];
const ROUNDS = Number(values.rounds);
const MB = 1024 * 1024;
const LAMBDA_MEMORY_MB = FUNCTION_SIZING['archive-transform'].memoryMb;
// Lambda gives one full vCPU at 1,769 MB, a share of one below it; the transform is single-threaded.
const VCPU = Math.min(1, LAMBDA_MEMORY_MB / 1769);

// ---- records ---------------------------------------------------------------------------------
const simulator = new FleetSimulator({
  fleet: defineFleet({ stores: 50, lanesPerStore: 12, seed: 9 }),
  seed: 9,
  baselines: DEFAULT_BASELINES,
  resendRate: 0.02,
});
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const byStore = (e: TelemetryEvent) => ({ partitionKey: e.storeId ?? e.deviceId, data: json(e) });

/** Honest records, as the edge client builds them from deliveries of `window` events. */
function honest(window: number) {
  return () => buildRecords(simulator.next(window), byStore, undefined).map((r) => r.data);
}

// The smallest event the contract accepts (242 bytes; see decode-record.test.ts).
const ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const SMALLEST = {
  schemaVersion: 1,
  type: 'detection_outcome',
  eventId: ULID,
  deviceId: 'a',
  occurredAt: '2026-01-01T00:00:00Z',
  seq: 0,
  storeId: 'a',
  detectionId: ULID,
  outcome: 'recovered',
  recoveredCents: 0,
};

/** One hostile record: user records up to the inflate limit, gzipped as tightly as gzip can. */
function hostile(make: (i: number) => unknown) {
  const users: { partitionKey: string; data: Buffer }[] = [];
  for (let i = 0, size = 0; ; i++) {
    const data = json(make(i));
    if (size + data.byteLength + 8 > MAX_INFLATED_BYTES - 64) break;
    users.push({ partitionKey: 'a', data });
    size += data.byteLength + 8;
  }
  const record = gzipSync(encodeAggregate(users), { level: 9 });
  return () => [record];
}
const refusedAt = (i: number, e: object) => (i === 1 ? { ...e, faceEmbedding: [0.1] } : e);

const MIXES: Record<string, { kind: 'honest' | 'hostile'; next: () => Uint8Array[] }> = {
  'honest: full aggregates': { kind: 'honest', next: honest(1_000) },
  'honest: fleet shape (2 events/delivery)': { kind: 'honest', next: honest(2) },
  'hostile: one event repeated, accepted': { kind: 'hostile', next: hostile(() => SMALLEST) },
  'hostile: one event repeated, one refused': {
    kind: 'hostile',
    next: hostile((i) => refusedAt(i, SMALLEST)),
  },
  'hostile: distinct seq, one refused': {
    kind: 'hostile',
    next: hostile((i) => refusedAt(i, { ...SMALLEST, seq: i })),
  },
};

/** A Firehose event (Kinesis stream source) holding `bytes` of record data from `next`. */
function firehoseEvent(next: () => Uint8Array[], bytes: number): FirehoseKinesisEvent {
  const records: FirehoseKinesisEvent['records'] = [];
  let size = 0;
  while (size < bytes) {
    for (const data of next()) {
      const seq = String(
        49_600_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(records.length),
      );
      records.push({
        recordId: `${seq}000000000000`,
        data: Buffer.from(data).toString('base64'),
        kinesisRecordMetadata: {
          shardId: 'shardId-000000000000',
          partitionKey: 'store-0001',
          sequenceNumber: seq,
          approximateArrivalTimestamp: 1_764_430_000_000,
        },
      });
      size += data.byteLength;
      if (size >= bytes) break;
    }
  }
  return { records };
}

// ---- measure ---------------------------------------------------------------------------------
const context = {
  awsRequestId: 'bench',
  functionName: 'archive-transform',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

interface Row {
  mix: string;
  mb: number;
  records: number;
  ms: number;
  cpuMs: number;
  cpuMsPerMb: number;
  projectedLambdaMs: number;
  requestMb: number;
  responseMb: number;
  largestLinePerRecordByte: number;
}
const rows: Row[] = [];
for (const mb of SIZES) {
  const events = Object.entries(MIXES).map(([mix, m]) => ({
    mix,
    event: firehoseEvent(m.next, mb * MB),
  }));
  const times = new Map<string, { ms: number[]; cpu: number[] }>();
  let last = new Map<string, FirehoseTransformationResult>();
  await handler(events[0]?.event as FirehoseKinesisEvent, context); // warm-up, not counted
  // The mixes take turns round by round, so warm-up and machine noise fall on all of them.
  for (let r = 0; r < ROUNDS; r++) {
    last = new Map();
    for (const { mix, event } of events) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await handler(event, context);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const t = times.get(mix) ?? { ms: [], cpu: [] };
      t.ms.push(ms);
      t.cpu.push((cpu.user + cpu.system) / 1000);
      times.set(mix, t);
      last.set(mix, result);
    }
  }
  for (const { mix, event } of events) {
    const result = last.get(mix) as FirehoseTransformationResult;
    if (result.records.some((r) => r.result !== 'Ok')) throw new Error(`${mix}: a record not Ok`);
    const ratio = Math.max(
      ...result.records.map(
        (r, i) =>
          Buffer.from(r.data ?? '', 'base64').byteLength /
          Buffer.from(event.records[i]?.data ?? '', 'base64').byteLength,
      ),
    );
    const t = times.get(mix) as { ms: number[]; cpu: number[] };
    const ms = median(t.ms);
    const cpuMs = median(t.cpu);
    rows.push({
      mix,
      mb,
      records: event.records.length,
      ms: Math.round(ms),
      cpuMs: Math.round(cpuMs),
      cpuMsPerMb: Math.round(cpuMs / mb),
      // On a vCPU of its own the transform's time is its CPU time (wall time here includes
      // waiting for a core this machine's other work holds).
      projectedLambdaMs: Math.round(cpuMs / VCPU),
      requestMb: round(JSON.stringify(event).length / MB),
      responseMb: round(JSON.stringify(result).length / MB),
      largestLinePerRecordByte: round(ratio),
    });
  }
}

console.log(
  `${'mix'.padEnd(44)}${'MB'.padStart(4)}${'records'.padStart(9)}${'ms'.padStart(8)}${'cpu ms/MB'.padStart(11)}${'req MB'.padStart(8)}${'resp MB'.padStart(9)}${'line/rec'.padStart(10)}`,
);
for (const r of rows) {
  console.log(
    `${r.mix.padEnd(44)}${String(r.mb).padStart(4)}${String(r.records).padStart(9)}${String(r.ms).padStart(8)}${String(r.cpuMsPerMb).padStart(11)}${String(r.requestMb).padStart(8)}${String(r.responseMb).padStart(9)}${String(r.largestLinePerRecordByte).padStart(10)}`,
  );
}
const worst = (kind: 'honest' | 'hostile') =>
  Math.max(...rows.filter((r) => MIXES[r.mix]?.kind === kind).map((r) => r.cpuMsPerMb));
const summary = {
  deployed: { bufferMb: ARCHIVE_TRANSFORM_BUFFER_MB, memoryMb: LAMBDA_MEMORY_MB },
  worstHonestCpuMsPerMb: worst('honest'),
  worstHostileCpuMsPerMb: worst('hostile'),
  hostileOverHonest: round(worst('hostile') / worst('honest'), 1),
  largestResponseMb: Math.max(...rows.map((r) => r.responseMb)),
  largestLinePerRecordByte: Math.max(...rows.map((r) => r.largestLinePerRecordByte)),
  rows,
};
console.log(
  `worst CPU ms per MB of records here: honest ${summary.worstHonestCpuMsPerMb}, hostile ${summary.worstHostileCpuMsPerMb} (${summary.hostileOverHonest}x); ` +
    `at ${LAMBDA_MEMORY_MB} MB (${round(VCPU)} vCPU) a ${ARCHIVE_TRANSFORM_BUFFER_MB} MB buffer projects to ${Math.round((summary.worstHostileCpuMsPerMb * ARCHIVE_TRANSFORM_BUFFER_MB) / VCPU)} ms worst (timeout ${FUNCTION_SIZING['archive-transform'].timeoutSeconds} s); largest response ${summary.largestResponseMb} MB (limit 6)`,
);
console.log(JSON.stringify(summary));
