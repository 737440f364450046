/**
 * The store floors of `npm run bench:fleet`: how each device's events reach Kinesis, per the
 * profile's edge topology. Today's is `per-lane`: every lane PC (and every on-call agent) runs
 * its own EdgeClient with its own spool, seq file and linger, exactly as the daemon does.
 * `gateway`: the same lane clients deliver to one store gateway per store (the daemon's
 * gateway mode, in process: startStoreGateways), which puts the store's records; on-call
 * agents still send directly. Every record put is signed: by the device that puts it, or by
 * the store's gateway (kind `gateway` in the registry) for the lanes it carries. Each lane PC
 * (and each gateway) also sends its own `device_status` when the bench says so, as its daemon
 * does every 5 minutes: a lane's through its own client (behind a gateway, to the gateway,
 * which passes it on in the store's records), a gateway's through the gateway's client.
 */
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { TelemetryEvent } from '#contract';
import {
  DAEMON_VERSION,
  EdgeClient,
  type EventInput,
  type GatewayUpstreamOptions,
  type StatusMemory,
  sleep,
} from '#edge-client';
import type { DueStatus, StatusSender } from '#simulator';
import { gatewayIdOf, type LocalSigners } from '../../infra/local/local-signers.js';
import { type StoreGateways, startStoreGateways } from '../../infra/local/store-gateways.js';
import type { EdgeTopology, GatewayTopology } from './fleet-profiles.js';

export interface FloorStats {
  /** Events the devices' clients accepted (durably spooled). */
  accepted: number;
  /** The devices' own statuses spooled (never counted as events). */
  statuses: number;
  /** Events Kinesis acknowledged. */
  sent: number;
  /** PutRecords requests (the gateways', in the gateway topology), and units sent again. */
  requests: number;
  retried: number;
  /** Times a device's client was opened (see PerLaneFloor), and the most open at once. */
  opens: number;
  maxOpen: number;
}

/** Where the floor's devices put their records. */
export interface FloorOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** Folder for the devices' spools (one sub-folder per device). */
  readonly dir: string;
  /** Called with each device's events once its edge accepted them. */
  readonly onAccepted: (events: readonly TelemetryEvent[], at: number) => void;
  /** The fleet's lane PCs and their stores (a gateway per store serves them). */
  readonly lanes: readonly { readonly deviceId: string; readonly storeId: string }[];
  /**
   * The fleet's keys (registered with registerFleet): whatever puts records signs them, a
   * device sending directly as itself, a store's gateway as `gatewayIdOf(storeId)`.
   */
  readonly signers: LocalSigners;
}

/** A fleet's edge: devices that accept events and deliver them to the stream. */
export interface StoreFloor {
  /** Hands each event to its device's edge; resolves once all of them are accepted. */
  send(events: readonly TelemetryEvent[]): Promise<void>;
  /**
   * The devices that send their own `device_status`, as their daemons do: every lane PC, and
   * in the gateway topology each store's gateway.
   */
  readonly statusSenders: readonly StatusSender[];
  /**
   * Spools one device's own status (EdgeClient.sendStatus) on the path its daemon's takes: a
   * lane's to Kinesis, or behind a gateway to its gateway, which passes it on in its store's
   * records. A status is never an accepted event (`onAccepted` is not called). One due
   * `onlyNews` is spooled only if it is news, as its daemon's between heartbeats.
   */
  sendStatus(sender: DueStatus): Promise<void>;
  /** Resolves true once every accepted event is acknowledged by Kinesis (false on timeout). */
  drain(timeoutMs: number): Promise<boolean>;
  close(): Promise<FloorStats>;
}

export async function openStoreFloor(
  topology: EdgeTopology,
  options: FloorOptions,
): Promise<StoreFloor> {
  switch (topology.kind) {
    case 'per-lane':
      return new PerLaneFloor(topology, options);
    case 'gateway':
      return GatewayFloor.open(topology, options);
  }
}

interface Slot {
  client?: Promise<EdgeClient>;
  /** Its closed client's status memory: the next client of the device resumes it. */
  memory?: StatusMemory;
  closing?: Promise<void>;
  busy: number;
  lastUse: number;
}

/** How long a device's client stays open after its spool drained with nothing new. */
const IDLE_CLOSE_MS = 2_000;
/**
 * Most clients open at once (each holds a few file handles): a machine that cannot keep the
 * pace makes the intake wait here, which shows as the intake's lag, instead of running out
 * of file handles.
 */
const MAX_OPEN = 3_000;

/**
 * One EdgeClient per device, opened with the device's own identity (`deviceId`: the client
 * assigns `seq`) and the topology's linger and partition key. A lane sends about once in two
 * minutes, so ~47,000 clients held open in one process would spend its CPU on their idle
 * wake-ups (each sender polls its spool once a second) and need more file handles than a
 * process has. So a device's client is opened when the device has an event and closed once
 * its spool has drained and it has been idle for IDLE_CLOSE_MS: reopening resumes the same
 * spool and seq file, as a daemon restart does. What shapes records is unchanged: the sender
 * waits the linger from the first spooled event before it reads the spool again and puts what
 * it holds, and it loads the shard map before a delivery when the map is older than 60 s,
 * which a lane that sends every two minutes does for every delivery either way. The devices'
 * clients share one SDK client (the HTTP connection pool), never a spool or a counter.
 */
class PerLaneFloor implements StoreFloor {
  private readonly slots = new Map<string, Slot>();
  private readonly stats: FloorStats = {
    accepted: 0,
    statuses: 0,
    sent: 0,
    requests: 0,
    retried: 0,
    opens: 0,
    maxOpen: 0,
  };
  private open = 0;
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly topology: {
      readonly lingerMs: number;
      readonly partitionBy: 'store' | 'device';
    },
    private readonly options: FloorOptions,
    /** A lane's gateway, when the lanes deliver to gateways (devices it has none for go to Kinesis). */
    private readonly upstreamOf?: (deviceId: string) => GatewayUpstreamOptions | undefined,
  ) {
    this.reaper = setInterval(() => this.reap(), 500);
  }

  async send(events: readonly TelemetryEvent[]): Promise<void> {
    const byDevice = new Map<string, TelemetryEvent[]>();
    for (const e of events) byDevice.set(e.deviceId, [...(byDevice.get(e.deviceId) ?? []), e]);
    await Promise.all(
      [...byDevice].map(([deviceId, own]) =>
        this.withClient(deviceId, async (client) => {
          // The device's own daemon assigns seq: the simulator's is dropped.
          const inputs = own.map(({ seq: _seq, ...rest }) => rest as EventInput);
          const accepted = await client.send(inputs);
          this.stats.accepted += accepted.length;
          this.options.onAccepted(accepted, Date.now());
        }),
      ),
    );
  }

  get statusSenders(): readonly StatusSender[] {
    return this.options.lanes;
  }

  /** The lane's daemon's own status, through its client (to Kinesis, or to its gateway). */
  async sendStatus({ deviceId, storeId, onlyNews }: DueStatus): Promise<void> {
    await this.withClient(deviceId, async (client) => {
      if ((await client.sendStatus(deviceId, storeId, DAEMON_VERSION, { onlyNews })) !== undefined)
        this.stats.statuses++;
    });
  }

  /** Runs `use` with the device's client, opened if it is not (see the class). */
  private async withClient(deviceId: string, use: (client: EdgeClient) => Promise<void>) {
    const slot = this.slots.get(deviceId) ?? { busy: 0, lastUse: 0 };
    this.slots.set(deviceId, slot);
    // Counted busy before any wait, so the reaper leaves this client open.
    slot.busy++;
    try {
      while (slot.closing !== undefined) await slot.closing;
      while (slot.client === undefined && this.open >= MAX_OPEN) await sleep(20);
      slot.client ??= this.openClient(deviceId, slot.memory);
      await use(await slot.client);
    } finally {
      slot.busy--;
      slot.lastUse = Date.now();
    }
  }

  private async openClient(deviceId: string, memory?: StatusMemory): Promise<EdgeClient> {
    this.stats.opens++;
    this.open++;
    this.stats.maxOpen = Math.max(this.stats.maxOpen, this.open);
    const gateway = this.upstreamOf?.(deviceId);
    const client = await EdgeClient.open({
      // A lane behind a gateway puts nothing on the stream: its gateway signs what it puts.
      ...(gateway === undefined
        ? {
            streamName: this.options.streamName,
            kinesis: this.options.kinesis,
            signer: this.options.signers.signer(deviceId),
          }
        : { gateway }),
      deviceId,
      spool: { dir: join(this.options.dir, deviceId) },
      lingerMs: this.topology.lingerMs,
      partitionBy: this.topology.partitionBy,
    });
    // As the device's one long-running daemon would: its statuses are news against its last.
    if (memory !== undefined) client.resumeStatusMemory(memory);
    return client;
  }

  private reap(): void {
    const now = Date.now();
    for (const slot of this.slots.values()) {
      if (slot.client === undefined || slot.closing !== undefined || slot.busy > 0) continue;
      if (now - slot.lastUse < IDLE_CLOSE_MS) continue;
      const pending = slot.client;
      slot.closing = (async () => {
        const client = await pending;
        // Only a drained client is closed: closing skips the linger of what it still holds.
        if (!(await client.flush(0))) return;
        slot.memory = client.statusMemory();
        slot.client = undefined;
        await this.closeClient(client, 0);
      })().finally(() => {
        slot.closing = undefined;
      });
    }
  }

  private async closeClient(client: EdgeClient, flushTimeoutMs: number): Promise<void> {
    await client.close(flushTimeoutMs);
    const m = client.metrics();
    this.stats.sent += m.sent;
    this.stats.requests += m.requests;
    this.stats.retried += m.retried;
    this.open--;
  }

  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (const slot of this.slots.values()) {
      const client = await slot.client;
      if (client !== undefined && !(await client.flush(Math.max(0, deadline - Date.now()))))
        return false;
    }
    return true;
  }

  async close(): Promise<FloorStats> {
    clearInterval(this.reaper);
    for (const slot of this.slots.values()) {
      await slot.closing;
      const client = await slot.client;
      slot.client = undefined;
      if (client !== undefined) await this.closeClient(client, 5_000);
    }
    return { ...this.stats };
  }
}

/**
 * The gateway topology: the lanes as in PerLaneFloor (opened and closed the same way), each
 * delivering to its store's gateway over HTTP on loopback; a gateway per store, each with its
 * own spool and the topology's linger and size-aware flush. Draining waits for the lanes and
 * then for the gateways.
 */
class GatewayFloor implements StoreFloor {
  private readonly gatewayIds: ReadonlySet<string>;
  private gatewayStatuses = 0;

  private constructor(
    private readonly lanes: PerLaneFloor,
    private readonly gateways: StoreGateways,
  ) {
    this.gatewayIds = new Set(gateways.devices.map((d) => d.deviceId));
  }

  static async open(topology: GatewayTopology, options: FloorOptions): Promise<GatewayFloor> {
    const gateways = await startStoreGateways({
      lanes: options.lanes,
      kinesis: options.kinesis,
      streamName: options.streamName,
      dir: join(options.dir, 'gateways'),
      lingerMs: topology.gatewayLingerMs,
      sizeAwareFlush: topology.sizeAwareFlush,
      signerOf: (storeId) => options.signers.signer(gatewayIdOf(storeId)),
      deviceIdOf: gatewayIdOf,
    });
    const isLane = new Set(options.lanes.map((l) => l.deviceId));
    const lanes = new PerLaneFloor(
      { lingerMs: topology.lingerMs, partitionBy: 'store' },
      { ...options, dir: join(options.dir, 'lanes') },
      (deviceId) => (isLane.has(deviceId) ? gateways.upstreamOf(deviceId) : undefined),
    );
    return new GatewayFloor(lanes, gateways);
  }

  send(events: readonly TelemetryEvent[]): Promise<void> {
    return this.lanes.send(events);
  }

  get statusSenders(): readonly StatusSender[] {
    return [...this.lanes.statusSenders, ...this.gateways.devices];
  }

  async sendStatus(sender: DueStatus): Promise<void> {
    if (!this.gatewayIds.has(sender.deviceId)) return this.lanes.sendStatus(sender);
    if (await this.gateways.sendStatus(sender.storeId, { onlyNews: sender.onlyNews }))
      this.gatewayStatuses++;
  }

  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    return (
      (await this.lanes.drain(timeoutMs)) &&
      (await this.gateways.flush(Math.max(0, deadline - Date.now())))
    );
  }

  async close(): Promise<FloorStats> {
    const lanes = await this.lanes.close();
    const gateways = this.gateways.metrics();
    await this.gateways.stop();
    // The lanes' own requests go to their gateways; what Kinesis saw is the gateways'.
    return {
      ...lanes,
      statuses: lanes.statuses + this.gatewayStatuses,
      requests: gateways.requests,
      retried: lanes.retried + gateways.retried,
    };
  }
}
