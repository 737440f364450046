import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { TelemetryEvent } from '#contract';
import { sleep } from '#edge-client';
import { defineFleet, FleetSimulator, type GroundTruth, type SimFleet } from '#simulator';
import { positionSortKey } from '../../functions/adapters/dynamodb-dead-letters.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { LocalSigners } from '../../infra/local/local-signers.js';
import { registerFleet } from '../../infra/local/local-simulation.js';
import { type ChaosProxy, type ChaosSettings, startChaosProxy } from '../helpers/chaos-proxy.js';
import { type DaemonProcess, spawnDaemon } from '../helpers/daemon-process.js';

/** A record put straight on the stream, meant to be dead-lettered (with `reason`, if given). */
export interface RawRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly reason?: string;
}

/** A dead letter as the report reads it: its position, reason, and event id if it had one. */
interface Letter {
  readonly position: string;
  readonly reason: string;
  readonly eventId?: string;
}

/** One row of the report. */
export interface ScenarioResult {
  readonly scenario: string;
  /** Events the edge daemon acknowledged (202), plus poison put straight on the stream. */
  readonly accepted: number;
  /** Events counted in the aggregates (detections, outcomes, incidents). */
  readonly delivered: number;
  readonly lost: number;
  readonly doubleCounted: number;
  readonly deadLettered: number;
  readonly expectedDeadLettered: number;
  /** Dead letters that are not among the records meant to be dead-lettered. */
  readonly wronglyDeadLettered: number;
  /** From the end of intake to the aggregates equal to the ground truth (or the deadline). */
  readonly secondsToDrain: number;
  /** Money and minutes equal to the ground truth to the cent and the minute. */
  readonly exact: boolean;
  readonly notes: string;
}

export interface Scenario {
  readonly name: string;
  /** What passing it shows. */
  readonly proves: string;
  readonly events: number;
  readonly kinesis?: Partial<ChaosSettings>;
  readonly dynamodb?: Partial<ChaosSettings>;
  /** Drives the run: feeds the events (with `h.feed`) and injects its faults. */
  run(h: Harness): Promise<void>;
  /** After the drain: a last fault whose effect is measured too (e.g. a full replay). */
  after?(h: Harness): Promise<void>;
}

/**
 * A fresh embedded stack per scenario, with fault-injecting proxies in front of Kinesis (for
 * the edge daemon and the processor's event source) and DynamoDB (for the processor), a real
 * edge daemon process, and the simulator's ground truth of every accepted event.
 */
export class Harness {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sfi-faults-'));
  readonly fleet: SimFleet;
  readonly simulator: FleetSimulator;
  stack!: EmbeddedStack;
  kinesisProxy!: ChaosProxy;
  dynamodbProxy!: ChaosProxy;
  daemon!: DaemonProcess;
  accepted = 0;
  /** Records meant to be dead-lettered, by the event id inside them (or a marker). */
  readonly expectedLetters = new Set<string>();
  /** The reason a raw record meant to be dead-lettered must carry, by its position. */
  readonly expectedReasons = new Map<string, string>();
  notes: string[] = [];
  /** Set by the replay scenario when a replay changed an aggregate (it must not). */
  replayChanged = false;
  /** The simulated devices' signing keys (the relay signs with them; so does raw poison). */
  readonly signers: LocalSigners;
  private readonly configFile: string;
  private leadership = '';

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    private readonly externalEmulators?: { kinesisEndpoint: string; dynamodbEndpoint: string },
  ) {
    this.fleet = defineFleet({ stores: 12, lanesPerStore: 4, seed });
    this.simulator = new FleetSimulator({
      fleet: this.fleet,
      seed,
      baselines: DEFAULT_BASELINES,
      resendRate: 0,
    });
    this.configFile = join(this.dataDir, 'edge.json');
    this.signers = LocalSigners.open(join(this.dataDir, 'signing-seed'));
  }

  async start(): Promise<void> {
    this.stack = await startEmbeddedStack({
      dataDir: join(this.dataDir, 'stack'),
      ports: { api: 0, kinesis: 0, dynamodb: 0 },
      apiThrottle: {
        stage: { rateLimit: 10_000, burstLimit: 10_000 },
        perCaller: { rateLimit: 10_000, burstLimit: 10_000 },
      },
      ...(this.externalEmulators !== undefined && { externalEmulators: this.externalEmulators }),
      eventSource: { maxBatchingWindowMs: 200, pollIntervalMs: 100, retryBaseDelayMs: 100 },
      handlerEndpoints: async (direct) => {
        this.kinesisProxy = await startChaosProxy(direct.kinesis, this.scenario.kinesis, this.seed);
        this.dynamodbProxy = await startChaosProxy(
          direct.dynamodb,
          this.scenario.dynamodb,
          this.seed + 1,
        );
        return { kinesis: this.kinesisProxy.url, dynamodb: this.dynamodbProxy.url };
      },
    });
    // Every device's key (from a seed of the run's), registered and in the relay's keyring.
    await registerFleet(this.stack.dynamodb, this.fleet, TABLES.registry.localName, this.signers);
    const keyringFile = join(this.dataDir, 'keyring.json');
    this.signers.writeKeyring(keyringFile, [
      ...this.fleet.panels.map((p) => p.deviceId),
      ...this.fleet.agents.map((a) => a.deviceId),
    ]);
    this.leadership = await this.stack.issuer.sign(
      { sub: 'faults', 'custom:role': 'leadership' },
      3_600,
    );
    writeFileSync(
      this.configFile,
      JSON.stringify({
        streamName: TELEMETRY_STREAM.localName,
        endpoint: this.kinesisProxy.url,
        region: 'us-east-1',
        spool: { dir: join(this.dataDir, 'spool'), fsync: 'always' },
        // One daemon forwards the whole simulated fleet, each event with its own deviceId and
        // seq, each record signed as its events' device.
        relay: true,
        signing: { keyringFile },
        http: { port: 0 },
        stdin: false,
        statusIntervalMs: 60_000,
      }),
    );
    this.daemon = await spawnDaemon(this.configFile);
  }

  /** kill -9 of the daemon, and a restart on the same spool. */
  async killDaemon(): Promise<void> {
    this.daemon.child.kill('SIGKILL');
    await this.daemon.exited;
    this.daemon = await spawnDaemon(this.configFile);
  }

  /** The simulator's next events, before they are sent. */
  nextEvents(count: number): TelemetryEvent[] {
    return this.simulator.next(count);
  }

  /**
   * Sends events through the daemon's HTTP intake in batches, each until it is acknowledged
   * (a batch cut off by a crash is sent again: same ids and seqs, so never counted twice).
   * `between` runs after each acknowledged batch, with the share of events sent so far.
   */
  async feed(
    events: readonly TelemetryEvent[],
    between?: (sent: number, total: number) => Promise<void>,
    batch = 250,
  ): Promise<void> {
    for (let i = 0; i < events.length; i += batch) {
      const chunk = events.slice(i, i + batch);
      const body = chunk.map((e) => JSON.stringify(e)).join('\n');
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(`${this.daemon.url}/events`, { method: 'POST', body });
          if (res.status === 202) break;
          await res.body?.cancel();
        } catch {
          // the daemon is down (killed): its restart is the scenario's business
        }
        if (attempt > 400) throw new Error('the daemon stopped accepting events');
        await sleep(50);
      }
      this.accepted += chunk.length;
      this.simulator.acknowledge(chunk);
      await between?.(i + chunk.length, events.length);
    }
    const rest = this.simulator.drainPending();
    if (rest.length > 0) await this.feed(rest, undefined, batch);
  }

  /**
   * Puts raw records on the stream directly (poison the edge client would refuse); each is
   * expected in the dead-letter table at its stream position.
   */
  async putRaw(records: readonly RawRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 100) {
      const chunk = records.slice(i, i + 100);
      const out = await this.stack.kinesis.send(
        new PutRecordsCommand({
          StreamName: TELEMETRY_STREAM.localName,
          Records: chunk.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
        }),
      );
      if ((out.FailedRecordCount ?? 0) > 0) throw new Error('raw put failed');
      (out.Records ?? []).forEach((r, j) => {
        const position = positionSortKey({
          position: {
            shardId: r.ShardId as string,
            sequenceNumber: r.SequenceNumber as string,
            subSequenceNumber: 0,
          },
        });
        this.expectedLetters.add(position);
        const reason = chunk[j]?.reason;
        if (reason !== undefined) this.expectedReasons.set(position, reason);
      });
    }
    this.accepted += records.length;
  }

  /**
   * Sends events through the daemon that must never count (e.g. from a clock far ahead):
   * accepted at the edge, expected in the dead-letter table by event id, not in the truth.
   */
  async feedDoomed(events: readonly TelemetryEvent[]): Promise<void> {
    const body = events.map((e) => JSON.stringify(e)).join('\n');
    const res = await fetch(`${this.daemon.url}/events`, { method: 'POST', body });
    if (res.status !== 202) throw new Error(`daemon refused doomed events: ${res.status}`);
    await res.body?.cancel();
    this.accepted += events.length;
    for (const e of events) this.expectedLetters.add(e.eventId);
  }

  truth(): GroundTruth {
    return this.simulator.truth();
  }

  private async impact(): Promise<{
    shrink: Record<string, number>;
    hoursSaved: Record<string, number> | null;
  }> {
    const to = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const res = await fetch(`${this.stack.apiUrl}/v1/impact?from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${this.leadership}` },
    });
    if (res.status !== 200) throw new Error(`impact API answered ${res.status}`);
    return (await res.json()) as never;
  }

  /** Every dead letter: its stream position, and its event id when the record held one. */
  async deadLetters(): Promise<Letter[]> {
    const out: Letter[] = [];
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await this.stack.dynamodb.send(
        new ScanCommand({ TableName: TABLES.deadLetters.localName, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) out.push(...lettersOf(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }

  private figures(truth: GroundTruth, api: Awaited<ReturnType<Harness['impact']>>) {
    const expected = {
      detections: truth.shrink.detections,
      outcomes: truth.shrink.outcomes,
      incidents: truth.hours.incidents,
    };
    const actual = {
      detections: api.shrink.detections ?? 0,
      outcomes: api.shrink.outcomes ?? 0,
      incidents: api.hoursSaved?.incidents ?? 0,
    };
    let lost = 0;
    let doubleCounted = 0;
    for (const k of Object.keys(expected) as (keyof typeof expected)[]) {
      lost += Math.max(0, expected[k] - actual[k]);
      doubleCounted += Math.max(0, actual[k] - expected[k]);
    }
    const exact =
      lost === 0 &&
      doubleCounted === 0 &&
      Object.entries(truth.shrink).every(
        ([k, v]) => typeof v !== 'number' || api.shrink[k] === v,
      ) &&
      Object.entries(truth.hours).every(
        ([k, v]) => typeof v !== 'number' || api.hoursSaved?.[k] === v,
      );
    return {
      delivered: actual.detections + actual.outcomes + actual.incidents,
      lost,
      doubleCounted,
      exact,
    };
  }

  /** Waits until the daemon's spool is drained and the aggregates equal the ground truth. */
  async drain(deadlineMs = 180_000): Promise<number> {
    const started = performance.now();
    const deadline = Date.now() + deadlineMs;
    let stableSince = Date.now();
    let last = '';
    while (Date.now() < deadline) {
      const truth = this.truth();
      const api = await this.impact().catch(() => undefined);
      if (api !== undefined) {
        const f = this.figures(truth, api);
        if (f.exact) {
          const letters = await this.deadLetters();
          if (letters.length >= this.expectedLetters.size) break;
        }
        const fingerprint = JSON.stringify(api.shrink);
        if (fingerprint !== last) {
          last = fingerprint;
          stableSince = Date.now();
        } else if (Date.now() - stableSince > 30_000 && (await this.spoolDrained())) {
          break; // nothing moves any more: report what is there
        }
      }
      await sleep(250);
    }
    return (performance.now() - started) / 1000;
  }

  private async spoolDrained(): Promise<boolean> {
    try {
      const res = await fetch(`${this.daemon.url}/status`);
      const m = (await res.json()) as { oldestEventAgeMs: number };
      return m.oldestEventAgeMs === 0;
    } catch {
      return false;
    }
  }

  async measure(secondsToDrain: number): Promise<ScenarioResult> {
    const api = await this.impact();
    const f = this.figures(this.truth(), api);
    const letters = await this.deadLetters();
    // A letter is wrong if it was not meant to be, or was meant with another reason.
    const wrongly = letters.filter(
      (l) =>
        (!this.expectedLetters.has(l.position) &&
          (l.eventId === undefined || !this.expectedLetters.has(l.eventId))) ||
        (this.expectedReasons.has(l.position) && this.expectedReasons.get(l.position) !== l.reason),
    ).length;
    return {
      scenario: this.scenario.name,
      accepted: this.accepted,
      delivered: f.delivered,
      lost: f.lost,
      doubleCounted: f.doubleCounted,
      deadLettered: letters.length,
      expectedDeadLettered: this.expectedLetters.size,
      wronglyDeadLettered: wrongly,
      secondsToDrain: Math.round(secondsToDrain * 10) / 10,
      // A replay that changed any aggregate item is not exact, whatever the totals say.
      exact: f.exact && !this.replayChanged,
      notes: this.notes.join('; '),
    };
  }

  async stop(): Promise<void> {
    this.daemon?.child.kill('SIGKILL');
    await this.daemon?.exited;
    await this.stack?.stop();
    await this.kinesisProxy?.close();
    await this.dynamodbProxy?.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * The entries one dead-letter item stands for: one per event when it lists several events of
 * one record (`eventIds`, with their `subSequenceNumbers`), else one for the item, at its
 * position (a record, or all its user records refused for one reason, or one refused whole).
 */
function lettersOf(
  item: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>,
): Letter[] {
  const position = item.sk?.S ?? '';
  const reason = item.reason?.S ?? '';
  const ids = item.eventIds?.L?.map((v) => v.S ?? '') ?? [];
  if (ids.length === 0)
    return [
      { position, reason, ...(item.eventId?.S !== undefined && { eventId: item.eventId.S }) },
    ];
  const subs = item.subSequenceNumbers?.L?.map((v) => Number(v.N)) ?? [];
  const prefix = position.slice(0, position.lastIndexOf('#') + 1);
  return ids.map((eventId, i) => ({
    position: `${prefix}${String(subs[i] ?? 0).padStart(6, '0')}`,
    reason,
    eventId,
  }));
}

/** Runs one scenario on a fresh stack and reports it. */
export async function runScenario(scenario: Scenario, seed = 1): Promise<ScenarioResult> {
  const h = new Harness(scenario, seed);
  try {
    await h.start();
    await scenario.run(h);
    let seconds = await h.drain();
    if (scenario.after !== undefined) {
      await scenario.after(h);
      seconds += await h.drain(60_000);
    }
    const k = h.kinesisProxy.counts;
    const d = h.dynamodbProxy.counts;
    h.notes.push(
      `kinesis: ${k.throttled} throttled, ${k.lostAcks} acks lost, ${k.dropped} dropped; dynamodb: ${d.refused} refused, ${d.lostAcks} acks lost, ${d.dropped} dropped`,
    );
    return await h.measure(seconds);
  } finally {
    await h.stop();
  }
}
