import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type RecordBuilderOptions,
  resolveRecordBuilderOptions,
} from '../aggregation/record-builder.js';
import type { GatewayUpstreamOptions } from '../delivery/gateway-sink.js';
import type { EventSigner } from '../delivery/kinesis-sink.js';
import { createKinesisClient } from '../producer/kinesis-client.js';
import type { SpoolOptions } from '../spool/disk-spool.js';

export interface EdgeClientOptions {
  /** The stream (the stack's StreamName output); required unless `gateway` is set. */
  readonly streamName?: string;
  /**
   * Deliver to a store gateway on the LAN instead of to Kinesis (a lane PC behind a gateway;
   * see docs/edge.md, "Store gateway"). The spool, the `seq`s and the retries are the same;
   * an entry is released only once the gateway answered that it holds it durably. Requires a
   * `deviceId`: the gateway accepts a lane's events only under the lane's own identity.
   */
  readonly gateway?: GatewayUpstreamOptions;
  /** @default a client from `createKinesisClient()` (SDK default credentials and endpoint) */
  readonly kinesis?: KinesisClient;
  /**
   * The sending device (a panel PC, an automation's agent device). When set, the client owns
   * the identity of what it sends: every event goes out as this device with a `seq` from the
   * client's own counter, and an event that carries a `seq`, or a `deviceId` other than this
   * one, is refused with InvalidEventError (a caller's `seq` could collide with, and so
   * silently drop, another event). Unset, the client relays events as their callers identify
   * them: an event's own `deviceId` (required) and `seq` (assigned per device when absent);
   * for a simulator, a benchmark or a test rig that speaks for a whole fleet, never for a
   * device's own daemon.
   */
  readonly deviceId?: string;
  readonly spool: SpoolOptions;
  /** How long the first event of a batch waits for company. @default 100 */
  readonly lingerMs?: number;
  /**
   * Put a record before `lingerMs` is up once its compressed size reaches a billed-KB boundary
   * that lingering would not improve on (billingCutDue in aggregation/record-builder.ts): for
   * a store gateway, which lingers seconds. Kinesis delivery only. @default false
   */
  readonly sizeAwareFlush?: boolean;
  /**
   * The partition key of a record: the event's `storeId` (falling back to its `deviceId` for
   * incidents that name no store), or always its `deviceId`. By store, all of a store's
   * panel PCs write to one shard, so a processor batch holds more events per store and the
   * aggregates take fewer writes per event (see docs/cost-and-capacity.md); a store's few
   * events per second never come near a shard's limits. @default 'store'
   */
  readonly partitionBy?: 'store' | 'device';
  /** Pack events into KPL aggregated records. @default true */
  readonly aggregate?: boolean;
  /** @default 51200 */
  readonly maxAggregateBytes?: number;
  /**
   * Compress aggregated records: `true` (the preset-dictionary format), `'dictionary'`,
   * `'gzip'` or `false` (see RecordBuilderOptions.compress). @default true
   */
  readonly compress?: RecordBuilderOptions['compress'];
  /** First retry delay; doubles per attempt with full jitter. @default 100 */
  readonly retryBaseDelayMs?: number;
  /** Largest retry delay. @default 10000 */
  readonly retryMaxDelayMs?: number;
  /** How often the shard map (for grouping aggregates) is refreshed. @default 60000 */
  readonly shardMapRefreshMs?: number;
  /** Called with every delivery error (the client keeps retrying). */
  readonly onError?: (error: unknown) => void;
  /**
   * Sign every record put to Kinesis (docs/contract.md, "Signed records"): as one device (a
   * panel PC's daemon, a store gateway), or per event for a relay of several senders.
   * @default unsigned
   */
  readonly signer?: EventSigner;
}

/** EdgeClientOptions with every default filled in: what the client reads, and all it reads. */
export type ResolvedEdgeClientOptions = Readonly<
  Required<Omit<EdgeClientOptions, 'deviceId' | 'onError' | 'gateway' | 'streamName' | 'signer'>> &
    Pick<EdgeClientOptions, 'deviceId' | 'onError' | 'gateway' | 'streamName' | 'signer'>
>;

/** Fills in EdgeClientOptions' defaults, once (the `@default`s above are these). */
export function resolveEdgeClientOptions(options: EdgeClientOptions): ResolvedEdgeClientOptions {
  if ((options.streamName === undefined) === (options.gateway === undefined))
    throw new TypeError('an edge client takes either a streamName (Kinesis) or a gateway');
  if (options.gateway !== undefined && options.deviceId === undefined)
    throw new TypeError('a lane behind a gateway needs its deviceId: it sends as itself');
  return {
    ...options,
    kinesis: options.kinesis ?? createKinesisClient(),
    lingerMs: options.lingerMs ?? 100,
    sizeAwareFlush: options.sizeAwareFlush ?? false,
    partitionBy: options.partitionBy ?? 'store',
    ...resolveRecordBuilderOptions(options),
    retryBaseDelayMs: options.retryBaseDelayMs ?? 100,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 10_000,
    shardMapRefreshMs: options.shardMapRefreshMs ?? 60_000,
  };
}
