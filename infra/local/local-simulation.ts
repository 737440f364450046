import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { putRegistryEntries } from '#adapters';
import type { TelemetryEvent } from '#contract';
import type { HoursSavedBaselines } from '#domain/hours-saved';
import { EdgeClient } from '#edge-client';
import { TABLES, TELEMETRY_STREAM } from '#shared/resources';
import {
  addTree,
  defineFleet,
  emptyTruth,
  FleetSimulator,
  type GroundTruth,
  runSimulation,
  type SimFleet,
} from '#simulator';

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
}

function writeAtomically(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

export function readTruth(file: string): GroundTruth {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as GroundTruth) : emptyTruth();
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
  await registerFleet(options.dynamodb, fleet, options.registryTable);
  const simulator = new FleetSimulator({ fleet, seed: options.seed, baselines: options.baselines });
  const client = await EdgeClient.open({
    streamName: options.streamName ?? TELEMETRY_STREAM.localName,
    kinesis: options.kinesis,
    spool: { dir: options.spoolDir },
    ...(options.aggregate !== undefined && { aggregate: options.aggregate }),
  });
  const sink = { put: (events: readonly TelemetryEvent[]) => client.send(events) };
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
  }).catch((error: unknown) => {
    if (options.signal?.aborted) return 0;
    throw error;
  });
  const truth = merged();
  writeAtomically(options.truthFile, JSON.stringify(truth, null, 2));
  // Accepted means spooled: give the sender a moment to deliver; the rest waits for next time.
  const { drained } = await client.close(options.signal?.aborted ? 3_000 : 60_000);
  return { sent, truth, drained };
}

/** Registers a simulated fleet's stores, panel PCs and on-call agents, as provisioning would. */
export async function registerFleet(
  dynamodb: DynamoDBClient,
  fleet: SimFleet,
  registryTable: string = TABLES.registry.localName,
): Promise<void> {
  await putRegistryEntries(dynamodb, registryTable, {
    stores: fleet.stores.map(({ storeId, region, timeZone }) => ({ storeId, region, timeZone })),
    devices: [
      ...fleet.panels.map(({ deviceId, storeId }) => ({
        deviceId,
        kind: 'panel' as const,
        storeId,
      })),
      ...fleet.agents.map(({ deviceId, teamId }) => ({ deviceId, kind: 'agent' as const, teamId })),
    ],
  });
}
