import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import * as z from 'zod';
import { putRegistryEntries } from '#adapters';
import type { TelemetryEvent } from '#contract';
import type { HoursSavedBaselines } from '#domain/hours-saved';
import {
  DAEMON_VERSION,
  DEVICE_STATUS_HEARTBEAT_MS,
  DEVICE_STATUS_INTERVAL_MS,
  EdgeClient,
  type EventInput,
  sleep,
} from '#edge-client';
import { TABLES, TELEMETRY_STREAM } from '#shared/resources';
import {
  addTree,
  type DueStatus,
  defineFleet,
  emptyTruth,
  FleetSimulator,
  type GroundTruth,
  runSimulation,
  type SimFleet,
  StatusSchedule,
  type StatusSender,
} from '#simulator';
import { runBackfill } from './backfill.js';
import { fleetSigner, gatewayIdOf, LocalSigners } from './local-signers.js';
import { type StoreGateways, startStoreGateways } from './store-gateways.js';

export interface LocalSimulationOptions {
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly stores: number;
  readonly rate: number;
  readonly seed: number;
  readonly baselines: HoursSavedBaselines;
  /** Ground-truth file; an existing one is added to (runs are disjoint, so truths add up). */
  readonly truthFile: string;
  readonly durationMs?: number;
  readonly maxEvents?: number;
  readonly signal?: AbortSignal;
  readonly registryTable?: string;
  readonly streamName?: string;
  /** The simulator's edge-client spool; what it holds at exit is sent by the next run. */
  readonly spoolDir: string;
  /** Pack events into KPL aggregated records. @default true */
  readonly aggregate?: boolean;
  /**
   * How the store floor reaches Kinesis. `direct`: one relaying edge client for the whole
   * fleet (the simulator's ids and seqs). `gateway`: each lane PC its own edge client (its own
   * spool and seq) delivering to its store's gateway (one per store, on loopback), which puts
   * the store's records; on-call agents send directly. @default 'direct'
   */
  readonly topology?: SimulationTopology;
  /**
   * The simulated devices' own statuses, as their daemons send them (fleet health, never in
   * the figures): every lane PC and every store's gateway every `intervalMs` (default the
   * daemon's 5 minutes) when it has news and every `heartbeatMs` when not (default the
   * daemon's ratio of the two: twice the interval), the first at a seeded offset within the
   * first interval, on the path the topology's daemons take. In two stores of every five one lane stops after its first
   * or its third status (QUIET_LANES): 25 minutes later it shows as silent, while its events
   * still count. Absent: no statuses.
   */
  readonly statuses?: { readonly intervalMs?: number; readonly heartbeatMs?: number };
  /**
   * The first run's history (backfill.ts): the last `days` days, sent once through the
   * fleet's relaying edge client before the live simulation begins; `planFile` records it.
   * Absent: no history.
   */
  readonly backfill?: {
    readonly days: number;
    readonly planFile: string;
    readonly detectionsPerStoreDay?: number;
    /** Told how many events were spooled and how long it took (not called when done before). */
    readonly onSpooled?: (events: number, ms: number) => void;
  };
}

/**
 * The lanes that stop sending statuses, and after how many: the last lane of the second store
 * of every five after its first status, of the fourth after its third, so that a fleet of a
 * few stores shows a silent lane about 25 and 35 minutes in.
 */
export function quietLanes(fleet: SimFleet): Map<string, number> {
  const quiet = new Map<string, number>();
  fleet.stores.forEach((store, i) => {
    const after = i % 5 === 1 ? 1 : i % 5 === 3 ? 3 : undefined;
    const panel = fleet.panels.filter((p) => p.storeId === store.storeId).at(-1);
    if (after !== undefined && panel !== undefined) quiet.set(panel.deviceId, after);
  });
  return quiet;
}

export const SIMULATION_TOPOLOGIES = ['direct', 'gateway'] as const;
export type SimulationTopology = (typeof SIMULATION_TOPOLOGIES)[number];

/** A `--topology` value, checked. */
export function parseTopology(value: string): SimulationTopology {
  if (!(SIMULATION_TOPOLOGIES as readonly string[]).includes(value))
    throw new Error(
      `--topology must be one of ${SIMULATION_TOPOLOGIES.join(', ')}, got "${value}"`,
    );
  return value as SimulationTopology;
}

function writeAtomically(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const Count = z.number().int().nonnegative();
const Counts = z.record(z.string(), Count);
const ShrinkTruthFile = z.object({
  detections: Count,
  detectionsByCategory: Counts,
  lossDetectedCents: Count,
  lossPreventedCents: Count,
  confirmedLossCents: Count,
  outcomes: Count,
  outcomesByKind: Counts,
  falsePositives: Count,
});
/**
 * The ground-truth file's shape, checked on every read: a truncated or hand-edited file is
 * refused by name rather than added to (a string `runs` would have the backfill skip its
 * figures, a negative one shift every total).
 */
const GroundTruthFile = z.object({
  runs: Count,
  eventsSent: Count,
  resends: Count,
  shrink: ShrinkTruthFile,
  hours: z.object({
    incidents: Count,
    incidentsByResolution: Counts,
    engineerMinutes: Count,
    minutesSaved: Count,
  }),
  storeDays: z.record(z.string(), z.record(z.string(), ShrinkTruthFile)),
});

export function readTruth(file: string): GroundTruth {
  if (!existsSync(file)) return emptyTruth();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `${file} is not a ground truth (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = GroundTruthFile.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${file} is not a ground truth (${z.prettifyError(parsed.error).replaceAll('\n', ' ')})`,
    );
  return raw as GroundTruth;
}

/**
 * Registers a simulated fleet in the device registry (as provisioning would), then drives it
 * through the edge client (durable spool, aggregation) into the stream, keeping the
 * ground-truth file up to date with every accepted batch.
 */
export async function runLocalSimulation(
  options: LocalSimulationOptions,
): Promise<{ sent: number; truth: GroundTruth; drained: boolean }> {
  const fleet = defineFleet({ stores: options.stores, seed: options.seed });
  // The simulated devices' keys, from a seed beside the simulator's spool (local-signers.ts).
  const signers = LocalSigners.open(join(dirname(options.spoolDir), 'signing-seed'));
  await registerFleet(options.dynamodb, fleet, options.registryTable, signers);
  const simulator = new FleetSimulator({ fleet, seed: options.seed, baselines: options.baselines });
  // One client relays the whole fleet: each record is signed by its store's gateway (or the
  // incident's agent), as a store's gateway would put it.
  const client = await EdgeClient.open({
    streamName: options.streamName ?? TELEMETRY_STREAM.localName,
    kinesis: options.kinesis,
    spool: { dir: options.spoolDir },
    ...(options.aggregate !== undefined && { aggregate: options.aggregate }),
    signer: fleetSigner(signers),
  });
  if (options.backfill !== undefined) {
    const started = performance.now();
    const spooled = await runBackfill(
      {
        client,
        fleet,
        seed: options.seed,
        days: options.backfill.days,
        baselines: options.baselines,
        planFile: options.backfill.planFile,
        truthFile: options.truthFile,
        readTruth,
        writeTruth: (file, truth) => writeAtomically(file, JSON.stringify(truth, null, 2)),
        ...(options.backfill.detectionsPerStoreDay !== undefined && {
          detectionsPerStoreDay: options.backfill.detectionsPerStoreDay,
        }),
      },
      options.signal,
    );
    if (spooled > 0) options.backfill.onSpooled?.(spooled, performance.now() - started);
  }
  const floor: SimFloor =
    options.topology === 'gateway'
      ? await openGatewayFloor(fleet, options, client, signers)
      : {
          send: (events) => client.send(events),
          // The relay speaks for every device, so it spools each one's status too (it is
          // signed, like the device's events, by the store's gateway).
          statusSenders: [
            ...fleet.panels,
            ...fleet.stores.map(({ storeId }) => ({ deviceId: gatewayIdOf(storeId), storeId })),
          ],
          sendStatus: ({ deviceId, storeId, onlyNews }) =>
            client.sendStatus(deviceId, storeId, DAEMON_VERSION, { onlyNews }),
          close: async () => true,
        };
  const stopStatuses = new AbortController();
  // Caught at once (the run may be minutes from its end), and thrown once it has ended.
  let statusError: unknown;
  const statuses =
    options.statuses === undefined
      ? Promise.resolve()
      : sendStatuses(
          floor,
          new StatusSchedule({
            devices: floor.statusSenders,
            intervalMs: options.statuses.intervalMs ?? DEVICE_STATUS_INTERVAL_MS,
            heartbeatMs:
              options.statuses.heartbeatMs ??
              (options.statuses.intervalMs ?? DEVICE_STATUS_INTERVAL_MS) *
                (DEVICE_STATUS_HEARTBEAT_MS / DEVICE_STATUS_INTERVAL_MS),
            seed: options.seed,
            stopAfter: quietLanes(fleet),
          }),
          stopStatuses.signal,
        ).catch((error: unknown) => {
          statusError = error;
        });
  const sink = { put: (events: readonly TelemetryEvent[]) => floor.send(events) };
  const base = readTruth(options.truthFile);
  const merged = () => addTree(structuredClone(base), simulator.truth());
  let lastWrite = 0;
  const sent = await runSimulation(simulator, sink, {
    rate: options.rate,
    ...(options.durationMs !== undefined && { durationMs: options.durationMs }),
    ...(options.maxEvents !== undefined && { maxEvents: options.maxEvents }),
    ...(options.signal !== undefined && { signal: options.signal }),
    onBatch: () => {
      if (Date.now() - lastWrite > 1_000) {
        writeAtomically(options.truthFile, JSON.stringify(merged(), null, 2));
        lastWrite = Date.now();
      }
    },
  })
    .catch((error: unknown) => {
      if (options.signal?.aborted) return 0;
      throw error;
    })
    .finally(() => stopStatuses.abort());
  await statuses;
  // A status that could not be spooled fails the run, as an event would, once it has ended.
  if (statusError !== undefined) throw statusError;
  const truth = merged();
  writeAtomically(options.truthFile, JSON.stringify(truth, null, 2));
  // Accepted means spooled: give the sender a moment to deliver; the rest waits for next time.
  const flushMs = options.signal?.aborted ? 3_000 : 60_000;
  const floorDrained = await floor.close(flushMs);
  const { drained } = await client.close(flushMs);
  return { sent, truth, drained: drained && floorDrained };
}

/** How the simulated store floor reaches the stream (one of SIMULATION_TOPOLOGIES). */
interface SimFloor {
  send(events: readonly TelemetryEvent[]): Promise<unknown>;
  /** The devices that send their own status: every lane PC and every store's gateway. */
  readonly statusSenders: readonly StatusSender[];
  /**
   * Spools one device's own status on its daemon's path (never an event of the figures); with
   * `onlyNews`, only if it is news (EdgeClient.sendStatus).
   */
  sendStatus(sender: DueStatus): Promise<unknown>;
  close(flushMs: number): Promise<boolean>;
}

/**
 * Sends each device's status as `schedule` says, until `stop` aborts. A status that cannot be
 * spooled ends the loop with its error.
 */
async function sendStatuses(
  floor: SimFloor,
  schedule: StatusSchedule,
  stop: AbortSignal,
): Promise<void> {
  const started = Date.now();
  while (!stop.aborted) {
    for (const sender of schedule.due(Date.now() - started)) await floor.sendStatus(sender);
    await sleep(250, stop).catch(() => undefined);
  }
}

/**
 * The gateway topology: a gateway per store and an edge client per lane PC (opened when the
 * lane first has an event, on its own spool under `<spoolDir>/lanes`), each sending as its
 * device with its own seq, to its store's gateway; an incident goes out through `direct`,
 * as an on-call agent's own daemon sends it.
 */
async function openGatewayFloor(
  fleet: SimFleet,
  options: LocalSimulationOptions,
  direct: EdgeClient,
  signers: LocalSigners,
): Promise<SimFloor> {
  const gateways: StoreGateways = await startStoreGateways({
    lanes: fleet.panels,
    kinesis: options.kinesis,
    streamName: options.streamName ?? TELEMETRY_STREAM.localName,
    dir: join(options.spoolDir, 'gateways'),
    signerOf: (storeId) => signers.signer(gatewayIdOf(storeId)),
  });
  const lanes = new Map<string, Promise<EdgeClient>>();
  const laneOf = (deviceId: string) => {
    let lane = lanes.get(deviceId);
    if (lane === undefined) {
      lane = EdgeClient.open({
        deviceId,
        gateway: gateways.upstreamOf(deviceId),
        spool: { dir: join(options.spoolDir, 'lanes', deviceId) },
      });
      lanes.set(deviceId, lane);
    }
    return lane;
  };
  const panels = new Set(fleet.panels.map((p) => p.deviceId));
  return {
    statusSenders: [...fleet.panels, ...gateways.devices],
    // A lane's daemon spools its own (to its gateway, which passes it on); a gateway its own.
    sendStatus: ({ deviceId, storeId, onlyNews }) =>
      panels.has(deviceId)
        ? laneOf(deviceId).then((lane) =>
            lane.sendStatus(deviceId, storeId, DAEMON_VERSION, { onlyNews }),
          )
        : gateways.sendStatus(storeId, { onlyNews }),
    async send(events) {
      await Promise.all(
        events.map(async (e) => {
          if (!panels.has(e.deviceId)) return direct.send(e);
          // The lane's own daemon assigns seq: the simulator's is dropped.
          const { seq: _seq, ...own } = e;
          return (await laneOf(e.deviceId)).send(own as EventInput);
        }),
      );
    },
    async close(flushMs) {
      const closed = await Promise.all(
        [...lanes.values()].map(async (l) => (await l).close(flushMs)),
      );
      const lanesDrained = closed.every((c) => c.drained);
      return (await gateways.stop(flushMs)).drained && lanesDrained;
    },
  };
}

/**
 * Registers a simulated fleet's stores, panel PCs and on-call agents, as provisioning would;
 * with `signers`, each device's public key too, and a gateway per store (kind `gateway`).
 */
export async function registerFleet(
  dynamodb: DynamoDBClient,
  fleet: SimFleet,
  registryTable: string = TABLES.registry.localName,
  signers?: LocalSigners,
): Promise<void> {
  const keys = (deviceId: string) =>
    signers === undefined ? {} : { keys: signers.registryKeys(deviceId) };
  await putRegistryEntries(dynamodb, registryTable, {
    // With their lane counts, so the coverage reads "n of n lanes reporting".
    stores: fleet.stores.map(({ storeId, region, timeZone, lanes }) => ({
      storeId,
      region,
      timeZone,
      lanes: lanes.length,
    })),
    devices: [
      ...fleet.panels.map(({ deviceId, storeId }) => ({
        deviceId,
        kind: 'panel' as const,
        storeId,
        ...keys(deviceId),
      })),
      ...fleet.agents.map(({ deviceId, teamId }) => ({
        deviceId,
        kind: 'agent' as const,
        teamId,
        ...keys(deviceId),
      })),
      ...(signers === undefined
        ? []
        : fleet.stores.map(({ storeId }) => ({
            deviceId: gatewayIdOf(storeId),
            kind: 'gateway' as const,
            storeId,
            ...keys(gatewayIdOf(storeId)),
          }))),
    ],
  });
}
