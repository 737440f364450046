import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ulid } from 'ulid';
import { type BuiltRecord, billedKb, buildRecords } from '../aggregation/record-builder.js';
import { ShardMap } from '../aggregation/shard-map.js';
import { type ContractIssue, parseTelemetryEvent, type TelemetryEvent } from '../contract/index.js';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { chunkForPutRecords } from '../producer/kinesis-limits.js';
import { DiskSpool, type SpoolEntry } from '../spool/disk-spool.js';
import { backoffDelay } from '../utils/backoff-delay.js';
import { sleep } from '../utils/sleep.js';
import {
  type EdgeClientOptions,
  type ResolvedEdgeClientOptions,
  resolveEdgeClientOptions,
} from './edge-client-options.js';
import { SeqAllocator } from './seq-allocator.js';

type Fillable = 'schemaVersion' | 'eventId' | 'seq' | 'deviceId';

/**
 * An event as a caller hands it over: the client fills `schemaVersion`, `eventId` (a ULID),
 * `deviceId` and `seq` (its persisted counter per device) when they are absent. A client with
 * a configured `deviceId` owns the identity: it refuses an event that carries a `seq` or
 * another `deviceId` (see EdgeClientOptions.deviceId).
 */
export type EventInput = TelemetryEvent extends infer E
  ? E extends TelemetryEvent
    ? Omit<E, Fillable> & Partial<Pick<E, Fillable>>
    : never
  : never;

export interface EdgeClientMetrics {
  /** Events accepted into the spool. */
  readonly accepted: number;
  /** Events refused at `send` (invalid, or spool full). */
  readonly rejected: number;
  /** Events acknowledged by Kinesis. */
  readonly sent: number;
  /** Kinesis records sent again after a failure. */
  readonly retried: number;
  readonly requests: number;
  readonly recordsPut: number;
  /** On-demand billing units of the records put (each rounded up to 1 KB). */
  readonly billedKb: number;
  readonly spoolBytes: number;
  /** Age of the oldest event not yet acknowledged (0 when the spool is drained). */
  readonly oldestEventAgeMs: number;
  readonly corruptBytesSkipped: number;
  readonly tornTailBytes: number;
  readonly lastError?: { readonly code: string; readonly at: string };
}

/** Events read from the spool per delivery: small enough to keep memory flat, large enough to pack aggregates well. */
const WINDOW_BYTES = 1024 * 1024;
const RETRYABLE_RECORD_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'KMSThrottlingException',
  'ServiceUnavailable',
]);
const DEVICE_ID = /"deviceId":"([^"\\]+)"/;
const STORE_ID = /"storeId":"([^"\\]+)"/;

/**
 * The producer a panel PC runs. `send` validates an event against the contract and resolves
 * only once it is durably in the local spool; a background sender drains the spool into
 * Kinesis in batches within PutRecords' limits, aggregated in the KPL format, retrying only
 * the records that failed (exponential backoff, full jitter) for as long as it takes. An event
 * leaves the spool only after Kinesis acknowledged it, so a crash, a power cut or an outage
 * delays delivery but never loses an accepted event; the cost is that an event may be sent
 * twice, which the processor drops by (deviceId, seq).
 */
export class EdgeClient {
  private readonly stop = new AbortController();
  private sender: Promise<void> | undefined;
  private shardMap: ShardMap | undefined;
  private shardMapLoadedAt = 0;
  private closing = false;
  private m = {
    accepted: 0,
    rejected: 0,
    sent: 0,
    retried: 0,
    requests: 0,
    recordsPut: 0,
    billedKb: 0,
    lastError: undefined as { code: string; at: string } | undefined,
  };

  private constructor(
    private readonly options: ResolvedEdgeClientOptions,
    private readonly spool: DiskSpool,
    private readonly seqs: SeqAllocator,
  ) {}

  /** Opens the spool (resuming whatever it holds) and starts the background sender. */
  static async open(options: EdgeClientOptions): Promise<EdgeClient> {
    const spool = await DiskSpool.open(options.spool);
    const seqs = await SeqAllocator.open(options.spool.dir);
    const client = new EdgeClient(resolveEdgeClientOptions(options), spool, seqs);
    client.sender = client.run();
    return client;
  }

  /**
   * Validates and durably spools events. All-or-nothing: if any event is invalid, an
   * InvalidEventError names its index and fields and nothing is stored; if the spool is full,
   * SpoolFullError (or, with `whenFull: 'block'`, a wait for room).
   */
  async send(
    input: EventInput | readonly EventInput[],
    signal?: AbortSignal,
  ): Promise<TelemetryEvent[]> {
    if (this.closing) throw new Error('edge client is closing');
    const inputs = (Array.isArray(input) ? input : [input]) as readonly unknown[];
    const drafts = inputs.map((raw, index) => this.validate(raw, index, inputs.length > 1));
    const events: TelemetryEvent[] = [];
    for (const draft of drafts) {
      const seq = draft.seq ?? (await this.seqs.allocate(draft.deviceId));
      events.push({ ...draft.event, seq } as TelemetryEvent);
    }
    try {
      await this.spool.append(
        events.map((e) => Buffer.from(JSON.stringify(e))),
        signal,
      );
    } catch (error) {
      this.m.rejected += events.length;
      throw error;
    }
    this.m.accepted += events.length;
    return events;
  }

  private validate(
    raw: unknown,
    index: number,
    many: boolean,
  ): { event: TelemetryEvent; deviceId: string; seq?: number } {
    const base =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : undefined;
    if (base === undefined) {
      this.m.rejected++;
      throw new InvalidEventError(
        [{ path: '(event)', message: 'must be a JSON object' }],
        many ? index : undefined,
      );
    }
    const owned = this.options.deviceId;
    if (owned !== undefined) {
      const issues: ContractIssue[] = [];
      if (base.seq !== undefined)
        issues.push({ path: 'seq', message: 'assigned by the edge client; omit it' });
      if (base.deviceId !== undefined && base.deviceId !== owned)
        issues.push({
          path: 'deviceId',
          message: `this edge client sends as its configured device ${owned}; omit it`,
        });
      if (issues.length > 0) {
        this.m.rejected++;
        throw new InvalidEventError(issues, many ? index : undefined);
      }
    }
    const filled = {
      schemaVersion: 1,
      ...(base.eventId === undefined && { eventId: ulid() }),
      ...base,
      ...(owned !== undefined && { deviceId: owned }),
      seq: base.seq ?? 0,
    };
    const parsed = parseTelemetryEvent(filled);
    if (!parsed.ok) {
      this.m.rejected++;
      throw new InvalidEventError(parsed.issues, many ? index : undefined);
    }
    return {
      event: parsed.event,
      deviceId: parsed.event.deviceId,
      ...(base.seq !== undefined && { seq: parsed.event.seq }),
    };
  }

  metrics(): EdgeClientMetrics {
    const stats = this.spool.stats();
    const oldest = this.spool.oldestAppendedAt;
    return {
      ...this.m,
      spoolBytes: stats.bytes,
      oldestEventAgeMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest),
      corruptBytesSkipped: stats.corruptBytesSkipped,
      tornTailBytes: stats.tornTailBytes,
    };
  }

  /** Resolves true once everything spooled so far is acknowledged, false on timeout. */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.spool.isEmpty) {
      if (Date.now() >= deadline || this.stop.signal.aborted) return false;
      await sleep(20);
    }
    return true;
  }

  /**
   * Stops accepting, tries to deliver what is spooled for up to `flushTimeoutMs`, then stops
   * the sender and closes the spool. Whatever was not delivered stays spooled for next time.
   */
  async close(flushTimeoutMs = 5_000): Promise<{ drained: boolean }> {
    this.closing = true;
    const drained = await this.flush(flushTimeoutMs);
    this.stop.abort(new Error('edge client closed'));
    await this.sender;
    await this.spool.close();
    return { drained };
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        let entries = await this.spool.read(this.spool.cursor, WINDOW_BYTES);
        if (entries.length === 0) {
          await this.spool.waitForAppend(1_000, signal);
          continue;
        }
        const linger = this.options.lingerMs - (Date.now() - (entries[0] as SpoolEntry).appendedAt);
        if (linger > 0 && payloadBytes(entries) < WINDOW_BYTES / 2 && !this.closing) {
          await sleep(linger, signal);
          entries = await this.spool.read(this.spool.cursor, WINDOW_BYTES);
        }
        await this.deliver(entries, signal);
        await this.spool.ack((entries[entries.length - 1] as SpoolEntry).next);
        this.m.sent += entries.length;
      } catch (error) {
        if (signal.aborted) break;
        this.noteError(error);
        await sleep(this.options.retryMaxDelayMs, signal).catch(() => undefined);
      }
    }
  }

  /** Puts every entry, retrying failures until all are acknowledged (or the client closes). */
  private async deliver(entries: readonly SpoolEntry[], signal: AbortSignal): Promise<void> {
    await this.refreshShardMap();
    const records = buildRecords(
      entries,
      (e) => ({
        partitionKey: partitionKeyOf(e.payload, this.options.partitionBy),
        data: e.payload,
      }),
      this.shardMap,
      this.options,
    );
    for (const request of chunkForPutRecords(records)) {
      let pending: BuiltRecord<SpoolEntry>[] = request;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 1) {
          this.m.retried += pending.length;
          const delay = backoffDelay(attempt - 1, {
            baseMs: this.options.retryBaseDelayMs,
            capMs: this.options.retryMaxDelayMs,
          });
          await sleep(delay, signal);
        }
        pending = await this.putOnce(pending, signal);
      }
    }
  }

  /** One PutRecords call; returns the records that must be sent again. */
  private async putOnce(
    records: BuiltRecord<SpoolEntry>[],
    signal: AbortSignal,
  ): Promise<BuiltRecord<SpoolEntry>[]> {
    this.m.requests++;
    try {
      const response = await this.options.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.options.streamName,
          Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
        }),
        { abortSignal: signal },
      );
      const failed: BuiltRecord<SpoolEntry>[] = [];
      records.forEach((record, i) => {
        const result = response.Records?.[i];
        if (result?.SequenceNumber !== undefined && result.ErrorCode === undefined) {
          this.m.recordsPut++;
          this.m.billedKb += billedKb(record);
          return;
        }
        const code = result?.ErrorCode ?? 'MissingResult';
        this.noteError(Object.assign(new Error(result?.ErrorMessage ?? code), { name: code }));
        if (!RETRYABLE_RECORD_ERRORS.has(code)) this.shardMapLoadedAt = 0;
        failed.push(record);
      });
      if (failed.length > 0 && failed.length < records.length) this.shardMapLoadedAt = 0;
      return failed;
    } catch (error) {
      if (signal.aborted) throw error;
      // Nothing of a failed request is known to have landed: all of it goes again.
      this.noteError(error);
      return records;
    }
  }

  private async refreshShardMap(): Promise<void> {
    if (!this.options.aggregate) return;
    if (Date.now() - this.shardMapLoadedAt < this.options.shardMapRefreshMs) return;
    this.shardMapLoadedAt = Date.now();
    try {
      this.shardMap = await ShardMap.load(this.options.kinesis, this.options.streamName);
    } catch (error) {
      // Without a map, aggregates group by partition key: still correct, less packed.
      this.noteError(error);
    }
  }

  private noteError(error: unknown): void {
    const code = error instanceof Error ? error.name : String(error);
    this.m.lastError = { code, at: new Date().toISOString() };
    this.options.onError?.(error);
  }
}

/** The partition key of a spooled event (see EdgeClientOptions.partitionBy). */
export function partitionKeyOf(payload: Buffer, by: 'store' | 'device'): string {
  // Spooled payloads are our own serialization of a validated event: the ids are near the
  // start, and `deviceId` is always there.
  const head = payload.toString('utf8', 0, Math.min(payload.byteLength, 1024));
  const store = by === 'store' ? STORE_ID.exec(head)?.[1] : undefined;
  return store ?? DEVICE_ID.exec(head)?.[1] ?? 'unknown';
}

const payloadBytes = (entries: readonly SpoolEntry[]) =>
  entries.reduce((s, e) => s + e.payload.byteLength, 0);
