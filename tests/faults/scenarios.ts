import { gzipSync } from 'node:zlib';
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { decodeTime, ulid } from 'ulid';
import type { TelemetryEvent } from '#contract';
import { listShards, sleep } from '#edge-client';
import { FleetSimulator } from '#simulator';
import { encodeAggregate, MAX_USER_RECORDS, signRecord } from '#wire';
import { seededRandom } from '../../edge-client/src/simulator/random.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { MemoryCheckpointStore } from '../../infra/local/checkpoint-store.js';
import { EventSourcePoller } from '../../infra/local/event-source-poller.js';
import { allItems } from '../helpers/local-dynamodb.js';
import { abortedPost, MALFORMED_TARGET, rawExchange } from '../helpers/raw-http.js';
import { readStream } from '../helpers/stream-reader.js';
import type { Harness, RawRecord, Scenario } from './harness.js';

/** Runs `fault` once when the feed passes `at` (a share of the events). */
function at(share: number, fault: () => void | Promise<void>) {
  let done = false;
  return async (sent: number, total: number) => {
    if (!done && sent >= total * share) {
      done = true;
      await fault();
    }
  };
}

/** An outage of `ms` on one proxy, started without waiting for it to end. */
function outage(h: Harness, which: 'kinesisProxy' | 'dynamodbProxy', ms: number): Promise<void> {
  h[which].settings.down = true;
  return sleep(ms).then(() => {
    h[which].settings.down = false;
  });
}

/** Shifts an event's clock by `ms` (occurredAt, and the instants its ids and times carry). */
function shifted(e: TelemetryEvent, ms: number, ids: Map<string, string>): TelemetryEvent {
  const move = (iso: string) => new Date(Date.parse(iso) + ms).toISOString();
  const base = { ...e, occurredAt: move(e.occurredAt) };
  if (base.type === 'oncall_incident') return { ...base, resolvedAt: move(base.resolvedAt) };
  if (base.type === 'device_status') return base;
  let id = ids.get(base.detectionId);
  if (id === undefined) {
    id = ulid(decodeTime(base.detectionId) + ms);
    ids.set(base.detectionId, id);
  }
  return { ...base, detectionId: id };
}

/**
 * The poison kinds of scenario 7, each a record the edge client would never send. Each is
 * signed by a registered device (as a stolen or buggy one would), so that it meets the checks
 * behind the signature; two kinds fail the signature itself (unsigned, a forged signature).
 */
function poisonRecords(h: Harness, count: number, seed: number) {
  const random = seededRandom(seed);
  const [a, b] = h.fleet.stores as unknown as readonly [{ storeId: string }, { storeId: string }];
  const laneOfA = h.fleet.panels.find((p) => p.storeId === a.storeId)?.deviceId as string;
  // A simulator of its own, so the poison leaves the run's events and ground truth alone.
  const other = new FleetSimulator({ fleet: h.fleet, seed, baselines: DEFAULT_BASELINES });
  const sample = () => other.next(1)[0] as TelemetryEvent;
  const detection = () => {
    for (;;) {
      const e = sample();
      if (e.type === 'detection') return e;
    }
  };
  const json = (e: unknown) => Buffer.from(JSON.stringify(e));
  const asA = (body: Buffer) => signRecord(body, h.signers.signer(laneOfA));
  const asItself = (e: TelemetryEvent) => signRecord(json(e), h.signers.signer(e.deviceId));
  const kinds: [reason: string, record: () => Buffer][] = [
    ['undecodable', () => asA(Buffer.from('{"schemaVersion":1,"type":"detection",'))],
    ['schema_violation', () => asItself({ ...detection(), estimatedLossCents: -5 })],
    ['unknown_key', () => asItself({ ...detection(), deviceId: 'panel-unregistered-0001' })],
    ['store_mismatch', () => asA(json({ ...detection(), deviceId: laneOfA, storeId: b.storeId }))],
    // A gzip bomb past the processor's bounded inflate.
    ['oversized_record', () => asA(gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20)))],
    ['schema_violation', () => asItself({ ...detection(), faceEmbedding: [0.12, 0.5] } as never)],
    [
      'schema_violation',
      () => asItself({ ...detection(), image: 'data:image/jpeg;base64,/9j/' } as never),
    ],
    ['unsigned', () => json(detection())],
    [
      'bad_signature',
      () => {
        const forged = asItself(detection()); // its last byte changed after signing
        forged.writeUInt8((forged.at(-1) as number) ^ 0x01, forged.byteLength - 1);
        return forged;
      },
    ],
    ['signer_mismatch', () => asA(json({ ...detection(), deviceId: 'panel-store-9999-lane-01' }))],
  ];
  return Array.from({ length: count }, (_, i) => {
    const [reason, record] = kinds[i % kinds.length] as (typeof kinds)[number];
    return { data: record(), partitionKey: `poison-${Math.floor(random() * 1e9)}`, reason };
  });
}

/**
 * The records of issue 17's amplification finding, each one record on the stream: 100,000
 * empty user records in ~1 KB of gzip (past the user-record cap), and an aggregate at the cap
 * whose every user record the contract refuses (a faceEmbedding each). Each is meant to be one
 * dead letter, at its position.
 */
function amplificationRecords(h: Harness): RawRecord[] {
  // Signed by a registered lane, so that they reach the decoder's bounds.
  const signer = h.signers.signer(h.fleet.panels[0]?.deviceId as string);
  const users = (n: number, data: (i: number) => Buffer) =>
    signRecord(
      gzipSync(
        encodeAggregate(
          Array.from({ length: n }, (_, i) => ({ partitionKey: 'amp', data: data(i) })),
        ),
      ),
      signer,
    );
  return [
    {
      data: users(100_000, () => Buffer.alloc(0)),
      partitionKey: 'amplification-1',
      reason: 'oversized_record',
    },
    {
      data: users(MAX_USER_RECORDS, (i) =>
        Buffer.from(`{"schemaVersion":1,"seq":${i},"faceEmbedding":[0.12,0.5]}`),
      ),
      partitionKey: 'amplification-2',
      reason: 'schema_violation',
    },
  ];
}

/** Seconds from feeding `events` through the daemon until the aggregates equal the truth. */
async function countedWithin(h: Harness, events: readonly TelemetryEvent[]): Promise<number> {
  const started = performance.now();
  await h.feed(events);
  await h.drain();
  return Math.round((performance.now() - started) / 100) / 10;
}

/** An outage of 30 s (shorter at a small scale) at 40% of the run, behind one proxy. */
function outageScenario(
  name: string,
  proves: string,
  which: 'kinesisProxy' | 'dynamodbProxy',
  events: number,
  scale: number,
): Scenario {
  return {
    name,
    proves,
    events,
    async run(h) {
      let down: Promise<void> = Promise.resolve();
      await h.feed(
        h.nextEvents(events),
        at(0.4, () => {
          down = outage(h, which, 30_000 * Math.min(1, scale * 5));
        }),
      );
      await down;
    },
  };
}

/**
 * Hostile traffic at the daemon's HTTP intake, one request at a time until `stop()`: uploads
 * cut off mid-body (a stub, and half of a real batch), a request target that is not a URL, a
 * line that is not HTTP, NDJSON with one bad line among valid events, and a body past the
 * 1 MiB limit. The events inside are a second simulator's (decoys): none may be accepted, so
 * any of them counted shows up as double-counted. `stop()` returns how many of each kind were
 * sent, how long each took to be answered (or closed), and every unexpected answer.
 */
function hostileIntake(h: Harness, seed: number, max: number, min = 60) {
  const decoys = new FleetSimulator({ fleet: h.fleet, seed, baselines: DEFAULT_BASELINES });
  const lines = (count: number) => decoys.next(count).map((e) => JSON.stringify(e));
  const post = (body: string, extra = '') =>
    `POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
  const oversized = `${'{"schemaVersion":1}\n'.repeat(Math.ceil((1.2 * 1024 * 1024) / 20))}`;
  const kinds: { name: string; send: () => Promise<string>; ok: (answer: string) => boolean }[] = [
    {
      name: 'aborted stub',
      send: () => rawExchange(h.daemon.url, abortedPost('/events'), { abort: true }),
      ok: (a) => !a.includes(' 202 '),
    },
    {
      name: 'aborted batch',
      send: () => {
        const body = lines(50).join('\n');
        const request = post(body);
        return rawExchange(h.daemon.url, request.slice(0, request.length - body.length / 2), {
          abort: true,
        });
      },
      ok: (a) => !a.includes(' 202 '),
    },
    {
      name: 'bad target',
      send: () => rawExchange(h.daemon.url, MALFORMED_TARGET),
      ok: (a) => a.startsWith('HTTP/1.1 400 '),
    },
    {
      name: 'not HTTP',
      send: () => rawExchange(h.daemon.url, 'HELLO DAEMON\r\n\r\n'),
      ok: (a) => a.startsWith('HTTP/1.1 400 '),
    },
    {
      name: 'bad NDJSON line',
      send: () => {
        const good = lines(20);
        good.splice(7, 0, '{"schemaVersion":1,"type":');
        return rawExchange(h.daemon.url, post(good.join('\n')));
      },
      ok: (a) => a.startsWith('HTTP/1.1 400 ') && a.includes('line 8: not JSON'),
    },
    {
      name: 'oversized',
      send: () => rawExchange(h.daemon.url, post(oversized)),
      ok: (a) => a.startsWith('HTTP/1.1 413 '),
    },
  ];
  const counts = new Map(kinds.map((k) => [k.name, 0]));
  const took = new Map<string, number[]>(kinds.map((k) => [k.name, []]));
  const wrong: string[] = [];
  let stopped = false;
  const done = (async () => {
    // At least `min` (every kind ten times), even if the load ends first.
    for (let i = 0; i < max && (!stopped || i < min); i++) {
      const kind = kinds[i % kinds.length] as (typeof kinds)[number];
      const started = performance.now();
      const answer = await kind.send();
      took.get(kind.name)?.push(performance.now() - started);
      counts.set(kind.name, (counts.get(kind.name) ?? 0) + 1);
      if (!kind.ok(answer)) wrong.push(`${kind.name}: ${answer.slice(0, 120) || '(closed)'}`);
      await sleep(2);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return { counts, took, wrong };
    },
  };
}

/** Median of a list of numbers (0 for none). */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * The daemon under hostile requests while a normal load runs: the first 30% of the events
 * quiet, the rest beside `hostileIntake`. The daemon must stay up (no restart: the feed
 * would stop), accept none of the hostile bodies, and acknowledge the good batches as before
 * (median time per acknowledged batch, quiet and under attack, in the notes).
 */
function hostileIntakeScenario(events: number): Scenario {
  return {
    name: 'daemon under aborted/malformed requests',
    proves:
      'aborted uploads, malformed requests, bad NDJSON lines and oversized bodies never stop the edge daemon or get in: the good events beside them all count, once',
    events,
    async run(h) {
      const pid = h.daemon.child.pid;
      let attack: ReturnType<typeof hostileIntake> | undefined;
      const quiet: number[] = [];
      const attacked: number[] = [];
      let last = performance.now();
      await h.feed(h.nextEvents(events), async (sent, total) => {
        const now = performance.now();
        (attack === undefined ? quiet : attacked).push(now - last);
        if (attack === undefined && sent >= total * 0.3)
          attack = hostileIntake(h, h.seed + 17, 5_000);
        last = performance.now();
      });
      const { counts, took, wrong } = (await attack?.stop()) ?? {
        counts: new Map<string, number>(),
        took: new Map<string, number[]>(),
        wrong: [],
      };
      const alive = h.daemon.child.exitCode === null && h.daemon.child.pid === pid;
      h.notes.push(
        `hostile requests (count, median ms to answer or close): ${[...counts]
          .map(([k, n]) => `${n} ${k} ${median(took.get(k) ?? []).toFixed(0)}`)
          .join(', ')}; ` +
          `batch ack median ${median(quiet).toFixed(1)} ms quiet, ${median(attacked).toFixed(1)} ms under attack; ` +
          `daemon ${alive ? 'stayed up (same pid)' : 'DIED'}`,
      );
      if (!alive) throw new Error('the edge daemon died under hostile requests');
      if (wrong.length > 0)
        throw new Error(`hostile requests answered wrongly: ${wrong.slice(0, 5).join(' | ')}`);
    },
  };
}

export function scenarios(scale: number): Scenario[] {
  const n = (full: number) => Math.max(500, Math.round(full * scale));
  return [
    {
      name: 'kill -9 edge daemon x10',
      proves:
        'an acknowledged event survives its sender dying mid-request: the spool fsyncs before the 202, and a resent batch counts once',
      events: n(100_000),
      async run(h) {
        const events = h.nextEvents(this.events);
        const random = seededRandom(h.seed + 10);
        const kills = Array.from({ length: 10 }, () => random()).sort((x, y) => x - y);
        let next = 0;
        let killing: Promise<void> = Promise.resolve();
        await h.feed(events, async (sent, total) => {
          while (next < kills.length && sent >= total * (kills[next] as number)) {
            next++;
            // Mid-request: the kill lands while the next batch is in flight.
            killing = killing.then(async () => {
              await sleep(Math.floor(random() * 20));
              await h.killDaemon();
            });
          }
        });
        await killing;
        h.notes.push(`${next} kills`);
      },
    },
    outageScenario(
      'Kinesis down 30 s',
      'the edge spools through an outage and the event source resumes where it stopped',
      'kinesisProxy',
      n(20_000),
      scale,
    ),
    {
      name: '30% PutRecords throttled',
      proves: 'only the failed entries are retried, with backoff, until every one is written',
      events: n(20_000),
      kinesis: { putRecordsFailShare: 0.3 },
      async run(h) {
        await h.feed(h.nextEvents(this.events));
      },
    },
    {
      name: 'acks lost after write',
      proves:
        'a record written twice to Kinesis (the producer never heard the first ack) is counted once, by device seq',
      events: n(20_000),
      kinesis: { loseAckShare: 0.5 },
      async run(h) {
        await h.feed(h.nextEvents(this.events));
      },
    },
    {
      name: 'processor crashes mid-batch',
      proves:
        'a batch that dies between its writes is retried and completes exactly once (versioned deltas)',
      events: n(20_000),
      dynamodb: { refuseWriteShare: 0.05, loseAckShare: 0.05 },
      async run(h) {
        await h.feed(h.nextEvents(this.events));
      },
    },
    outageScenario(
      'DynamoDB down 30 s',
      'the processor fails its batches, the event source retries them, nothing is skipped',
      'dynamodbProxy',
      n(20_000),
      scale,
    ),
    {
      name: '1% poison of every kind',
      proves:
        'each poison record (signed by a registered device, or failing the signature check) is dead-lettered with the reason meant for it and its position, and the rest of its batch counts',
      events: n(20_000),
      async run(h) {
        const events = h.nextEvents(this.events);
        const poison = poisonRecords(h, Math.round(this.events / 100), h.seed + 7);
        let put = 0;
        await h.feed(events, async (sent, total) => {
          const due = Math.floor((poison.length * sent) / total);
          if (due > put) {
            await h.putRaw(poison.slice(put, due));
            put = due;
          }
        });
      },
    },
    {
      name: 'device clock hours off',
      proves:
        'a clock 3 h behind still counts on its own timestamps; one 2 h ahead is dead-lettered as clock_skew, not counted on a day that has not happened',
      events: n(20_000),
      async run(h) {
        const [behind, ahead] = h.fleet.panels as unknown as readonly [
          { deviceId: string },
          { deviceId: string },
        ];
        const ids = new Map<string, string>();
        const events = [...h.nextEvents(this.events), ...h.simulator.drainPending()];
        const normal = events
          .filter((e) => e.deviceId !== ahead.deviceId)
          .map((e) => (e.deviceId === behind.deviceId ? shifted(e, -3 * 3_600_000, ids) : e));
        const doomed = events
          .filter((e) => e.deviceId === ahead.deviceId)
          .map((e) => shifted(e, 2 * 3_600_000, ids));
        // Outcomes of the ahead device's detections made by other devices are doomed too.
        await h.feed(normal);
        await h.feedDoomed(doomed);
        h.notes.push(`${doomed.length} events from a clock 2 h ahead`);
      },
    },
    {
      name: 'shard split mid-run',
      proves:
        'the event source finishes a parent shard before its children, so nothing is skipped or counted out of turn',
      events: n(20_000),
      async run(h) {
        await h.feed(
          h.nextEvents(this.events),
          at(0.4, async () => {
            const [parent] = await listShards(h.stack.kinesis, TELEMETRY_STREAM.localName);
            const start = BigInt(parent?.HashKeyRange?.StartingHashKey ?? '0');
            const end = BigInt(parent?.HashKeyRange?.EndingHashKey ?? '0');
            await h.stack.kinesis.send(
              new SplitShardCommand({
                StreamName: TELEMETRY_STREAM.localName,
                ShardToSplit: parent?.ShardId,
                NewStartingHashKey: String((start + end) / 2n),
              }),
            );
            h.notes.push(`split ${parent?.ShardId}`);
          }),
        );
      },
    },
    {
      name: 'full replay from TRIM_HORIZON',
      proves: 'replaying the whole stream writes nothing: every aggregate stays bit-identical',
      events: n(20_000),
      async run(h) {
        await h.feed(h.nextEvents(this.events));
      },
      async after(h) {
        const before = await allItems(h.stack.dynamodb, TABLES.aggregates.localName);
        const total = (await readStream(h.stack.kinesis, TELEMETRY_STREAM.localName)).length;
        let replayed = 0;
        const replay = new EventSourcePoller({
          kinesis: h.stack.kinesis,
          streamName: TELEMETRY_STREAM.localName,
          checkpoints: new MemoryCheckpointStore(),
          onFailure: async () => undefined,
          batchSize: 500,
          maxBatchingWindowMs: 20,
          pollIntervalMs: 20,
          retryBaseDelayMs: 10,
          maximumRetryAttempts: -1,
          handler: async (event: KinesisStreamEvent) => {
            const response = await h.stack.processor(event);
            if ((response?.batchItemFailures ?? []).length === 0) replayed += event.Records.length;
            return response;
          },
        });
        replay.start();
        while (replayed < total) await sleep(100);
        await replay.stop();
        const after = await allItems(h.stack.dynamodb, TABLES.aggregates.localName);
        const changed = after.filter(
          (item, i) => JSON.stringify(item) !== JSON.stringify(before[i]),
        ).length;
        h.notes.push(`replayed ${replayed} records; ${changed} of ${after.length} items changed`);
        if (changed > 0 || after.length !== before.length) h.replayChanged = true;
      },
    },
    hostileIntakeScenario(n(20_000)),
    {
      name: 'amplification record in a normal load',
      proves:
        'a ~1 KB record of 100,000 user records, and one of 4,369 refused ones, are one dead letter each; the events around them count once, within their usual delay',
      events: n(20_000),
      async run(h) {
        const probe = Math.max(100, Math.round(this.events / 40));
        await h.feed(h.nextEvents(Math.floor(this.events / 2)));
        await h.drain();
        const usual = await countedWithin(h, h.nextEvents(probe));
        await h.putRaw(amplificationRecords(h));
        const amid = await countedWithin(h, h.nextEvents(probe));
        await h.feed(h.nextEvents(this.events - Math.floor(this.events / 2) - 2 * probe));
        h.notes.push(
          `${probe} events counted in ${usual} s before the amplification records, ${amid} s with them`,
        );
      },
    },
  ];
}
