/**
 * The configurations `npm run bench:fleet` compares, each measured in the same run against
 * `baseline` (today's settings). A profile names how the lanes reach Kinesis (the edge
 * topology and its settings) and the processor's event source settings; everything else (the
 * processor, the item layout, the API) is the code under test. Adding a candidate is a row
 * here, plus a topology in lane-topology.ts when it needs a new one.
 */
import { GATEWAY_LINGER_MS } from '#edge-client';
import { PROCESSOR_EVENT_SOURCE } from '#processor';

/** Today's edge: one EdgeClient per lane PC, each with its own spool, sending to Kinesis. */
export interface PerLaneTopology {
  readonly kind: 'per-lane';
  /** EdgeClientOptions.lingerMs of every lane's client. */
  readonly lingerMs: number;
  /** EdgeClientOptions.partitionBy of every lane's client. */
  readonly partitionBy: 'store' | 'device';
}

/**
 * A store gateway: every lane PC runs its EdgeClient with its own spool and seq, delivering
 * over the store LAN (HTTP on loopback here) to one gateway per store, which spools the
 * store's events and puts them to Kinesis aggregated by store (docs/edge.md, "Store gateway").
 */
export interface GatewayTopology {
  readonly kind: 'gateway';
  /** EdgeClientOptions.lingerMs of every lane's client (to its gateway). */
  readonly lingerMs: number;
  /** The gateways' linger (the size-aware flush cuts a record earlier at a KB boundary). */
  readonly gatewayLingerMs: number;
  readonly sizeAwareFlush: boolean;
}

/** How the store floor reaches Kinesis. */
export type EdgeTopology = PerLaneTopology | GatewayTopology;

export interface FleetProfile {
  /** One line for the table's legend. */
  readonly description: string;
  readonly edge: EdgeTopology;
  /** The processor's Kinesis event source mapping (Lambda's names). */
  readonly eventSource: {
    readonly batchSize: number;
    readonly maxBatchingWindowMs: number;
  };
}

const GATEWAY_EDGE: GatewayTopology = {
  kind: 'gateway',
  lingerMs: 100,
  gatewayLingerMs: GATEWAY_LINGER_MS,
  sizeAwareFlush: true,
};

export const FLEET_PROFILES = {
  baseline: {
    description: 'today: a client per lane (linger 100 ms, key by store); batch 5,000 / 5 s',
    // The edge client's defaults (edge-client-options.ts), as a panel PC's daemon runs them.
    edge: { kind: 'per-lane', lingerMs: 100, partitionBy: 'store' },
    eventSource: {
      batchSize: PROCESSOR_EVENT_SOURCE.batchSize,
      maxBatchingWindowMs: PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs,
    },
  },
  // Candidates for issue 19's "longer batching in the event source": today's edge, a longer
  // batching window and Lambda's largest batch. Measurement only; PROCESSOR_EVENT_SOURCE stays.
  'window-30s': {
    description: "today's edge; batch 10,000 / 30 s",
    edge: { kind: 'per-lane', lingerMs: 100, partitionBy: 'store' },
    eventSource: { batchSize: 10_000, maxBatchingWindowMs: 30_000 },
  },
  'window-60s': {
    description: "today's edge; batch 10,000 / 60 s",
    edge: { kind: 'per-lane', lingerMs: 100, partitionBy: 'store' },
    eventSource: { batchSize: 10_000, maxBatchingWindowMs: 60_000 },
  },
  'window-120s': {
    description: "today's edge; batch 10,000 / 120 s",
    edge: { kind: 'per-lane', lingerMs: 100, partitionBy: 'store' },
    eventSource: { batchSize: 10_000, maxBatchingWindowMs: 120_000 },
  },
  // Issue 19's store gateway: the gateway daemon's defaults (45 s linger, size-aware flush),
  // with today's event source and with the window-60s one.
  gateway: {
    description: `lanes -> one gateway per store (linger ${GATEWAY_LINGER_MS / 1000} s, size-aware flush); batch 5,000 / 5 s`,
    edge: GATEWAY_EDGE,
    eventSource: {
      batchSize: PROCESSOR_EVENT_SOURCE.batchSize,
      maxBatchingWindowMs: PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs,
    },
  },
  'gateway-window-60s': {
    description: 'lanes -> one gateway per store, as gateway; batch 10,000 / 60 s',
    edge: GATEWAY_EDGE,
    eventSource: { batchSize: 10_000, maxBatchingWindowMs: 60_000 },
  },
} as const satisfies Record<string, FleetProfile>;

export type ProfileName = keyof typeof FLEET_PROFILES;

/** The profiles named in a `--profile a,b` list; `baseline` always first, unknown names refused. */
export function selectProfiles(list: string): [ProfileName, FleetProfile][] {
  const names = [...new Set(['baseline', ...list.split(',').map((s) => s.trim())])].filter(
    (s) => s !== '',
  );
  return names.map((name) => {
    if (!Object.hasOwn(FLEET_PROFILES, name))
      throw new Error(
        `unknown profile ${JSON.stringify(name)}; known: ${Object.keys(FLEET_PROFILES).join(', ')}`,
      );
    return [name as ProfileName, FLEET_PROFILES[name as ProfileName]];
  });
}

/**
 * A profile in slow motion: every interval that shapes records and batches (the lanes'
 * linger, the batching window) `factor` times longer, for a fleet whose rates are divided by
 * `factor`. Each lane's linger and each batch's window then hold the same events as at full
 * speed, so per-record and per-batch figures are the same; only wall time stretches.
 */
export function slowMotion(profile: FleetProfile, factor: number): FleetProfile {
  if (!(factor >= 1)) throw new RangeError('a slow-motion factor is at least 1');
  return {
    ...profile,
    edge:
      profile.edge.kind === 'gateway'
        ? {
            ...profile.edge,
            lingerMs: profile.edge.lingerMs * factor,
            gatewayLingerMs: profile.edge.gatewayLingerMs * factor,
          }
        : { ...profile.edge, lingerMs: profile.edge.lingerMs * factor },
    eventSource: {
      ...profile.eventSource,
      maxBatchingWindowMs: profile.eventSource.maxBatchingWindowMs * factor,
    },
  };
}
