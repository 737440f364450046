import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  type BuiltRecord,
  billedKb,
  billingCutDue,
  buildRecords,
  type RecordBuilderOptions,
} from '../aggregation/record-builder.js';
import { ShardMap } from '../aggregation/shard-map.js';
import { chunkForPutRecords } from '../producer/kinesis-limits.js';
import type { SpoolEntry } from '../spool/disk-spool.js';
import { envelopeBytesFor, type RecordSigner, signRecord } from '../wire/index.js';
import type { DeliverySink } from './delivery-sink.js';

const RETRYABLE_RECORD_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'KMSThrottlingException',
  'ServiceUnavailable',
]);
const DEVICE_ID = /"deviceId":"([^"\\]+)"/;
const STORE_ID = /"storeId":"([^"\\]+)"/;

export interface KinesisSinkOptions extends Required<RecordBuilderOptions> {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly partitionBy: 'store' | 'device';
  readonly shardMapRefreshMs: number;
  /** Cut records at a billed-KB boundary instead of lingering the full time (billingCutDue). */
  readonly sizeAwareFlush: boolean;
  readonly noteError: (error: unknown) => void;
  /**
   * Who signs the records (signed-envelope.ts): the one device a daemon or gateway sends as,
   * or, for a relay of several senders (the simulator), who signs each event's record; records
   * are then built per signer. Absent: records go unsigned.
   */
  readonly signer?: EventSigner;
}

/**
 * One signer for every record, or the signer of the record an event goes in: undefined when
 * none may sign it, which the client refuses at intake (EdgeClient.send).
 */
export type EventSigner = RecordSigner | ((payload: Buffer) => RecordSigner | undefined);

/**
 * Delivery to Kinesis: spooled events packed into (compressed KPL) records grouped by the shard
 * their partition key maps to, in PutRecords requests within the API's limits; a request's
 * records that failed (per-record error codes, or the whole request on the network) are what
 * the client sends again.
 */
export class KinesisSink implements DeliverySink<BuiltRecord<SpoolEntry>> {
  private shardMap: ShardMap | undefined;
  private shardMapLoadedAt = 0;
  private recordsPut = 0;
  private billed = 0;

  constructor(private readonly options: KinesisSinkOptions) {}

  async plan(entries: readonly SpoolEntry[]): Promise<BuiltRecord<SpoolEntry>[][]> {
    await this.refreshShardMap();
    const records: BuiltRecord<SpoolEntry>[] = [];
    for (const { signer, members } of this.bySigner(entries)) {
      for (const r of buildRecords(members, this.userRecord, this.shardMap, this.options)) {
        records.push(signer === undefined ? r : { ...r, data: signRecord(r.data, signer) });
      }
    }
    return chunkForPutRecords(records);
  }

  readyToCut(entries: readonly SpoolEntry[], lingerLeftMs: number): boolean {
    if (!this.options.sizeAwareFlush || !this.options.aggregate) return false;
    const { signer } = this.options;
    // A gateway signs every record as itself: its envelope counts toward the billed KB.
    const envelopeBytes =
      signer === undefined || typeof signer === 'function' ? 0 : envelopeBytesFor(signer);
    return billingCutDue(entries, this.userRecord, this.shardMap, lingerLeftMs, {
      ...this.options,
      envelopeBytes,
    });
  }

  /** The entries by who signs their records, in order of first sight (one group if one signer). */
  private bySigner(
    entries: readonly SpoolEntry[],
  ): { signer: RecordSigner | undefined; members: SpoolEntry[] }[] {
    const { signer } = this.options;
    if (typeof signer !== 'function') return [{ signer, members: [...entries] }];
    const groups = new Map<string, { signer: RecordSigner | undefined; members: SpoolEntry[] }>();
    for (const e of entries) {
      // No signer: refused at intake, so only an event spooled before its key left the keyring
      // (a restart with another keyring). It goes unsigned, and the processor dead-letters it.
      const s = signer(e.payload);
      const id = s === undefined ? '' : `${s.signer}|${s.keyId}`;
      const group = groups.get(id) ?? { signer: s, members: [] };
      group.members.push(e);
      groups.set(id, group);
    }
    return [...groups.values()];
  }

  counters() {
    return { recordsPut: this.recordsPut, billedKb: this.billed };
  }

  private readonly userRecord = (e: SpoolEntry) => ({
    partitionKey: partitionKeyOf(e.payload, this.options.partitionBy),
    data: e.payload,
  });

  async sendOnce(
    records: BuiltRecord<SpoolEntry>[],
    signal: AbortSignal,
  ): Promise<BuiltRecord<SpoolEntry>[]> {
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
          this.recordsPut++;
          this.billed += billedKb(record);
          return;
        }
        const code = result?.ErrorCode ?? 'MissingResult';
        this.options.noteError(
          Object.assign(new Error(result?.ErrorMessage ?? code), { name: code }),
        );
        if (!RETRYABLE_RECORD_ERRORS.has(code)) this.shardMapLoadedAt = 0;
        failed.push(record);
      });
      if (failed.length > 0 && failed.length < records.length) this.shardMapLoadedAt = 0;
      return failed;
    } catch (error) {
      if (signal.aborted) throw error;
      // Nothing of a failed request is known to have landed: all of it goes again.
      this.options.noteError(error);
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
      this.options.noteError(error);
    }
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
