import { randomUUID } from 'node:crypto';
import {
  type _Record,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { backoffDelay, listShards, sleep } from '#utils';
import type { CheckpointStore } from './checkpoint-store.js';

/** Lambda's Kinesis event source mapping settings (same names and meaning). */
export interface EventSourceSettings {
  /** @default 100 */
  readonly batchSize?: number;
  /** Wait this long for a batch to fill. @default 500 */
  readonly maxBatchingWindowMs?: number;
  /** @default 'TRIM_HORIZON' */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Split a failing batch in two and retry the halves (splits do not use up retries). @default true */
  readonly bisectBatchOnFunctionError?: boolean;
  /** Retries of a failing batch before it goes to the on-failure destination; -1 = until the record expires. @default 10 */
  readonly maximumRetryAttempts?: number;
  /** Records older than this go to the on-failure destination unprocessed; -1 = never. @default 86_400_000 */
  readonly maximumRecordAgeMs?: number;
  /** Honour `batchItemFailures` in the response. @default true */
  readonly reportBatchItemFailures?: boolean;
}

/** What Lambda sends to an on-failure destination: batch metadata, never the records. */
export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: { readonly statusCode: number; readonly functionError?: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export type KinesisHandler = (
  event: KinesisStreamEvent,
) => Promise<KinesisStreamBatchResponse | undefined>;

export interface PollerOptions extends EventSourceSettings {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly handler: KinesisHandler;
  readonly checkpoints: CheckpointStore;
  readonly onFailure: (record: OnFailureRecord) => Promise<void>;
  /** Idle wait between empty reads of a shard. @default 250 */
  readonly pollIntervalMs?: number;
  /**
   * Largest invocation payload (the event's JSON): Lambda sends a Kinesis batch when it holds
   * `batchSize` records, its window is over, or its payload reaches 6 MB, the cap of a
   * synchronous invocation. Records past it wait for the next batch. @default 6 MiB
   */
  readonly maxPayloadBytes?: number;
  /** First retry delay of a failing batch; doubles per retry, capped at 5 s. @default 200 */
  readonly retryBaseDelayMs?: number;
  readonly region?: string;
  readonly onError?: (error: unknown, shardId: string) => void;
}

/** Lambda's cap on a synchronous invocation's payload, which a Kinesis batch must fit. */
export const LAMBDA_PAYLOAD_CAP_BYTES = 6 * 1024 * 1024;
/** `{"Records":[]}`: the payload of a batch before its records. */
const EMPTY_EVENT_BYTES = 14;

interface Piece {
  records: _Record[];
  attempts: number;
}

/**
 * Polls every shard of a stream and invokes a handler the way Lambda's Kinesis event source
 * mapping does: in-order batches per shard, one batch in flight per shard; a partial batch
 * response checkpoints before the lowest failed record and retries from it; a function error
 * bisects the batch; retries are bounded, and a batch that exhausts them (or whose records
 * are too old) is reported to the on-failure destination and skipped. Child shards wait
 * until their parents are finished. Checkpoints persist, so a restart resumes.
 */
export class EventSourcePoller {
  private stopping = false;
  private readonly loops = new Map<string, Promise<void>>();
  private readonly ages = new Map<string, number>();
  private discovery: Promise<void> | undefined;
  /** The settings and the poller's own options, defaults filled in. */
  private readonly s: Required<EventSourceSettings> &
    Required<
      Pick<PollerOptions, 'pollIntervalMs' | 'retryBaseDelayMs' | 'region' | 'maxPayloadBytes'>
    >;
  private readonly streamArn: string;
  private readonly functionArn: string;

  constructor(private readonly options: PollerOptions) {
    this.s = {
      batchSize: options.batchSize ?? 100,
      maxBatchingWindowMs: options.maxBatchingWindowMs ?? 500,
      startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
      bisectBatchOnFunctionError: options.bisectBatchOnFunctionError ?? true,
      maximumRetryAttempts: options.maximumRetryAttempts ?? 10,
      maximumRecordAgeMs: options.maximumRecordAgeMs ?? 86_400_000,
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      maxPayloadBytes: options.maxPayloadBytes ?? LAMBDA_PAYLOAD_CAP_BYTES,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
      region: options.region ?? 'us-east-1',
    };
    this.streamArn = `arn:aws:kinesis:${this.s.region}:000000000000:stream/${options.streamName}`;
    this.functionArn = `arn:aws:lambda:${this.s.region}:000000000000:function:processor`;
  }

  start(): void {
    this.discovery = this.discover();
  }

  /**
   * Lambda's IteratorAge: per shard, how old the last record of the latest batch handed to
   * the function was when it was handed over; the largest over the shards, in ms.
   */
  iteratorAgeMs(): number {
    return Math.max(0, ...this.ages.values());
  }

  /** Stops polling after the batches in flight complete. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.discovery;
    await Promise.all(this.loops.values());
  }

  private async discover(): Promise<void> {
    while (!this.stopping) {
      try {
        const shards = await listShards(this.options.kinesis, this.options.streamName);
        const finished = (id: string) => {
          const cp = this.options.checkpoints.get(id);
          return cp !== undefined && 'shardEnd' in cp;
        };
        const known = new Set(shards.map((s) => s.ShardId));
        for (const shard of shards) {
          const id = shard.ShardId as string;
          if (this.loops.has(id) || finished(id)) continue;
          const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
            (p): p is string => p !== undefined && known.has(p),
          );
          if (parents.some((p) => !finished(p))) continue;
          this.loops.set(
            id,
            this.pollShard(id).finally(() => this.loops.delete(id)),
          );
        }
      } catch (error) {
        this.options.onError?.(error, '*');
      }
      for (let waited = 0; waited < 2_000 && !this.stopping; waited += 100) await sleep(100);
    }
  }

  private async iteratorFor(shardId: string): Promise<string | undefined> {
    const cp = this.options.checkpoints.get(shardId);
    const position =
      cp !== undefined && 'after' in cp
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: cp.after }
        : { ShardIteratorType: this.s.startingPosition };
    const response = await this.options.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.options.streamName,
        ShardId: shardId,
        ...position,
      }),
    );
    return response.ShardIterator;
  }

  private async pollShard(shardId: string): Promise<void> {
    let iterator: string | undefined;
    let buffer: _Record[] = [];
    // How many of the buffer's records fit in one invocation's payload, and their bytes.
    let fitting = 0;
    let payloadBytes = EMPTY_EVENT_BYTES;
    let windowStart = 0;
    while (!this.stopping) {
      try {
        iterator ??= await this.iteratorFor(shardId);
        if (iterator === undefined) break;
        const response = await this.options.kinesis.send(
          new GetRecordsCommand({
            ShardIterator: iterator,
            Limit: this.s.batchSize - buffer.length,
          }),
        );
        const records = response.Records ?? [];
        if (records.length > 0 && buffer.length === 0) windowStart = Date.now();
        buffer.push(...records);
        while (fitting < buffer.length) {
          const added =
            this.entryBytes(shardId, buffer[fitting] as _Record) + (fitting > 0 ? 1 : 0);
          if (fitting > 0 && payloadBytes + added > this.s.maxPayloadBytes) break;
          payloadBytes += added;
          fitting++;
        }
        iterator = response.NextShardIterator;
        const closed = iterator === undefined || iterator === null;
        const full = buffer.length >= this.s.batchSize || fitting < buffer.length;
        const windowOver =
          buffer.length > 0 && Date.now() - windowStart >= this.s.maxBatchingWindowMs;
        if (buffer.length > 0 && (full || windowOver || closed)) {
          // Records past the payload cap are read again from the checkpoint, in order.
          await this.deliver(shardId, buffer.slice(0, fitting));
          buffer = [];
          fitting = 0;
          payloadBytes = EMPTY_EVENT_BYTES;
          // Records after a retried or skipped batch are re-read from the checkpoint.
          iterator = await this.iteratorFor(shardId);
        }
        if (closed) {
          this.options.checkpoints.set(shardId, { shardEnd: true });
          break;
        }
        if (records.length === 0) await sleep(this.s.pollIntervalMs);
      } catch (error) {
        if (!(error instanceof ExpiredIteratorException)) this.options.onError?.(error, shardId);
        iterator = undefined;
        buffer = [];
        fitting = 0;
        payloadBytes = EMPTY_EVENT_BYTES;
        await sleep(1_000);
      }
    }
  }

  /** Runs one batch to completion: success, retries, bisection, or the on-failure destination. */
  private async deliver(shardId: string, records: _Record[]): Promise<void> {
    const queue: Piece[] = [{ records, attempts: 0 }];
    while (queue.length > 0) {
      const piece = queue[0] as Piece;
      // On shutdown, leave a failing batch unchecked-in: the next start reads it again.
      if (this.stopping && piece.attempts > 0) return;
      const expired = this.expiredPrefix(piece.records);
      if (expired > 0) {
        await this.fail(
          shardId,
          piece.records.slice(0, expired),
          'RecordAgeExceeded',
          piece.attempts,
        );
        piece.records = piece.records.slice(expired);
        if (piece.records.length === 0) {
          queue.shift();
          continue;
        }
      }
      if (piece.attempts > 0) {
        // No jitter: the local event source retries on a fixed schedule.
        await sleep(
          backoffDelay(piece.attempts, {
            baseMs: this.s.retryBaseDelayMs,
            capMs: 5_000,
            jitter: 'none',
          }),
        );
      }
      let failedFrom: number;
      let functionError = false;
      const last = piece.records.at(-1)?.ApproximateArrivalTimestamp?.getTime();
      if (last !== undefined) this.ages.set(shardId, Math.max(0, Date.now() - last));
      try {
        const response = await this.options.handler(this.eventFor(shardId, piece.records));
        failedFrom = this.firstFailure(piece.records, response);
      } catch (error) {
        this.options.onError?.(error, shardId);
        functionError = true;
        failedFrom = 0;
      }
      if (failedFrom === piece.records.length) {
        this.checkpoint(shardId, piece.records);
        queue.shift();
        continue;
      }
      // Records before the lowest failure are done: checkpoint them and retry the rest.
      this.checkpoint(shardId, piece.records.slice(0, failedFrom));
      const rest = piece.records.slice(failedFrom);
      if (functionError && this.s.bisectBatchOnFunctionError && rest.length > 1) {
        const half = Math.ceil(rest.length / 2);
        queue.splice(
          0,
          1,
          { records: rest.slice(0, half), attempts: piece.attempts },
          { records: rest.slice(half), attempts: piece.attempts },
        );
        continue;
      }
      piece.records = rest;
      piece.attempts++;
      if (this.s.maximumRetryAttempts >= 0 && piece.attempts > this.s.maximumRetryAttempts) {
        await this.fail(shardId, rest, 'RetryAttemptsExhausted', piece.attempts);
        queue.shift();
      }
    }
  }

  /** Index of the lowest failed record, or `records.length` when all succeeded. */
  private firstFailure(
    records: _Record[],
    response: KinesisStreamBatchResponse | undefined,
  ): number {
    if (!this.s.reportBatchItemFailures) return records.length;
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return records.length;
    let lowest = records.length;
    for (const f of failures) {
      const i = records.findIndex((r) => r.SequenceNumber === f.itemIdentifier);
      // Lambda treats an unknown or empty identifier as a failure of the whole batch.
      if (i < 0) return 0;
      lowest = Math.min(lowest, i);
    }
    return lowest;
  }

  private expiredPrefix(records: _Record[]): number {
    if (this.s.maximumRecordAgeMs < 0) return 0;
    const limit = Date.now() - this.s.maximumRecordAgeMs;
    let n = 0;
    while (
      n < records.length &&
      (records[n]?.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) < limit
    )
      n++;
    return n;
  }

  private checkpoint(shardId: string, done: _Record[]): void {
    const last = done[done.length - 1];
    if (last?.SequenceNumber !== undefined)
      this.options.checkpoints.set(shardId, { after: last.SequenceNumber });
  }

  private async fail(
    shardId: string,
    records: _Record[],
    condition: OnFailureRecord['requestContext']['condition'],
    attempts: number,
  ) {
    const first = records[0] as _Record;
    const last = records[records.length - 1] as _Record;
    await this.options.onFailure({
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.functionArn,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200 },
      version: '1.0',
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId,
        startSequenceNumber: first.SequenceNumber as string,
        endSequenceNumber: last.SequenceNumber as string,
        approximateArrivalOfFirstRecord: first.ApproximateArrivalTimestamp?.toISOString() ?? '',
        approximateArrivalOfLastRecord: last.ApproximateArrivalTimestamp?.toISOString() ?? '',
        batchSize: records.length,
        streamArn: this.streamArn,
      },
    });
    this.checkpoint(shardId, records);
  }

  private eventFor(shardId: string, records: _Record[]): KinesisStreamEvent {
    return { Records: records.map((r) => this.entryFor(shardId, r)) };
  }

  /** One record's bytes in the invocation payload (its entry's JSON). */
  private entryBytes(shardId: string, record: _Record): number {
    return Buffer.byteLength(JSON.stringify(this.entryFor(shardId, record)));
  }

  private entryFor(shardId: string, r: _Record): KinesisStreamEvent['Records'][number] {
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.PartitionKey as string,
        sequenceNumber: r.SequenceNumber as string,
        data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
        approximateArrivalTimestamp:
          (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${r.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/processor',
      awsRegion: this.s.region,
      eventSourceARN: this.streamArn,
    };
  }
}
