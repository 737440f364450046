import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { parseTelemetryEvent, type TelemetryEvent } from '../contract/index.js';
import { DeliveryError } from '../errors/delivery-error.js';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { chunkForPutRecords, type Entry } from './kinesis-limits.js';

export interface KinesisProducerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Attempts per record before `put` gives up with a DeliveryError. @default 10 */
  readonly maxAttempts?: number;
  /** First backoff step; doubles per attempt, full jitter. @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff step. @default 5000 */
  readonly maxDelayMs?: number;
}

export interface PutReport {
  readonly records: number;
  readonly requests: number;
  /** Records sent again after a per-record failure or a failed request. */
  readonly retried: number;
}

/** Error codes of a throttled or transiently failed record; all are worth retrying. */
const RETRYABLE_RECORD_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'KMSThrottlingException',
  'ServiceUnavailable',
]);

interface Pending extends Entry {
  readonly index: number;
}

/**
 * Puts telemetry events on the stream, one JSON event per record, partitioned by device (so
 * one device's events stay on one shard while devices spread across shards). Requests respect
 * the PutRecords limits; only records that failed are sent again, with exponential backoff and
 * full jitter. `put` resolves once every record is acknowledged, or rejects.
 *
 * This is the first producer: no disk spool and no record aggregation yet.
 */
export class KinesisProducer {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: KinesisProducerOptions) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
  }

  /** Validates every event first: one bad event rejects the call and nothing is sent. */
  async put(events: readonly unknown[], signal?: AbortSignal): Promise<PutReport> {
    const entries: Pending[] = events.map((input, index) => {
      const parsed = parseTelemetryEvent(input);
      if (!parsed.ok) throw new InvalidEventError(parsed.issues, index);
      return { index, ...encodeEvent(parsed.event) };
    });
    let requests = 0;
    let retried = 0;
    for (const chunk of chunkForPutRecords(entries)) {
      const report = await this.putChunk(chunk, signal);
      requests += report.requests;
      retried += report.retried;
    }
    return { records: entries.length, requests, retried };
  }

  private async putChunk(chunk: readonly Pending[], signal?: AbortSignal) {
    let pending = chunk;
    let requests = 0;
    let retried = 0;
    let lastError: string | undefined;
    for (let attempt = 1; pending.length > 0; attempt++) {
      signal?.throwIfAborted();
      if (attempt > this.maxAttempts) throw new DeliveryError(pending.length, lastError);
      if (attempt > 1) {
        retried += pending.length;
        await sleep(
          Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)),
          signal,
        );
      }
      requests++;
      try {
        const response = await this.options.client.send(
          new PutRecordsCommand({
            StreamName: this.options.streamName,
            Records: pending.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
          }),
          { abortSignal: signal },
        );
        const results = response.Records ?? [];
        const failed: Pending[] = [];
        pending.forEach((entry, i) => {
          const code = results[i]?.ErrorCode;
          if (code === undefined && results[i] !== undefined) return;
          lastError = code ?? 'MissingResult';
          if (code !== undefined && !RETRYABLE_RECORD_ERRORS.has(code)) {
            throw new DeliveryError(pending.length, code);
          }
          failed.push(entry);
        });
        pending = failed;
      } catch (error) {
        if (error instanceof DeliveryError || signal?.aborted) throw error;
        // A failed request (network, 5xx, throttled request): nothing of it is known to have
        // landed, so the whole chunk is sent again. Duplicates are the processor's to drop.
        lastError = error instanceof Error ? error.name : String(error);
      }
    }
    return { requests, retried };
  }
}

/** The wire form of an event: compact UTF-8 JSON, partition key = device id. */
export function encodeEvent(event: TelemetryEvent): Entry {
  return { data: Buffer.from(JSON.stringify(event)), partitionKey: event.deviceId };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
