import { describe, expect, it } from 'vitest';
import { encodeAggregate, signRecord } from '#wire';
import { fromArchiveLine, screenVerifying } from '../../functions/archive/archive-line.js';
import { transform } from '../../functions/archive/firehose-transform.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import type { RegistryView } from '../../functions/domain/registry-types.js';
import type { UnsignedPolicy } from '../../functions/domain/signature-check.js';
import { processBatch, type StreamRecord } from '../../functions/processor/process-batch.js';
import { detection, NOON, REGISTRY, streamRecords, testSigner } from '../helpers/factories.js';
import {
  InMemoryAggregates,
  InMemoryDeadLetters,
  silentLogger,
  staticRegistry,
} from '../helpers/in-memory-aggregates.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const EMBEDDING = [0.731_942, -0.118_305, 0.552_071];
const VIEW: RegistryView = {
  device: (id) => REGISTRY.devices.get(id),
  store: (id) => REGISTRY.stores.get(id),
};

/** Runs records through the processor into fresh tables: what it counted and lettered. */
async function process(records: readonly StreamRecord[], unsignedRecords: UnsignedPolicy) {
  const deadLetters = new InMemoryDeadLetters();
  const result = await processBatch(records, {
    aggregates: new InMemoryAggregates(),
    registry: staticRegistry,
    deadLetters,
    logger: silentLogger,
    fold: { baselines: DEFAULT_BASELINES },
    eventTime: DEFAULT_EVENT_TIME_RULES,
    unsignedRecords,
  });
  return { result, letters: [...deadLetters.letters.values()] };
}

async function run(records: readonly StreamRecord[]) {
  const { result, letters } = await process(records, 'refuse');
  return {
    counted: result.stats.counted,
    letters: letters.map((l) => [l.position.sequenceNumber, l.reason]).sort(),
  };
}

const firehoseEvent = (records: readonly StreamRecord[]) => ({
  records: records.map((r, i) => ({
    recordId: `r${i}`,
    data: Buffer.from(r.data as Uint8Array).toString('base64'),
    kinesisRecordMetadata: {
      shardId: r.shardId,
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      approximateArrivalTimestamp: r.arrivedAt,
    },
  })),
});

/** The records as the Firehose transform archives them, read back for a rebuild. */
function archived(records: readonly StreamRecord[], signers: RegistryView) {
  const result = transform(firehoseEvent(records), signers);
  return result.records.map((r) =>
    fromArchiveLine(
      Buffer.from(r.data ?? '', 'base64')
        .toString('utf8')
        .trimEnd(),
    ),
  );
}

describe('Function: rebuild of signed records the archive screened', () => {
  it('refuses a forged signed record on rebuild as the live processor did, and still counts the honest one', async () => {
    // Prepare: an aggregate for store-0001 with one user record the contract refuses (so the
    // archive screens it, dropping the signature bytes). Honestly signed by store-0001's lane,
    // and forged: store-0002's lane signs it with its own key under store-0001's lane's name.
    const body = () =>
      encodeAggregate(
        [detection(), { ...detection(), faceEmbedding: EMBEDDING }].map((e) => ({
          partitionKey: 'store-0001',
          data: json(e),
        })),
      );
    const honest = signRecord(body(), testSigner('panel-store-0001-lane-01'));
    const forged = signRecord(body(), {
      ...testSigner('panel-store-0002-lane-01'),
      signer: 'panel-store-0001-lane-01',
    });
    const records: StreamRecord[] = [honest, forged].map((data, i) => ({
      shardId: 'shardId-000000000000',
      sequenceNumber: String(100 + i),
      partitionKey: 'store-0001',
      data,
      arrivedAt: NOON,
    }));

    // Act
    const live = await run(records);
    const rebuilt = await run(archived(records, VIEW));

    // Assess: live counts the honest detection and refuses the forgery; the rebuild agrees.
    expect(live.counted).toBe(1);
    expect(live.letters).toContainEqual(['101', 'bad_signature']);
    expect(rebuilt).toEqual(live);
  });

  it('reads the registry only for a batch holding a screened signed record, and only its signers', async () => {
    // Prepare: a batch accepted whole, and one with a screened record signed by a lane.
    const lane = testSigner('panel-store-0001-lane-01');
    const at = (data: Buffer): StreamRecord => ({
      shardId: 'shardId-000000000000',
      sequenceNumber: '100',
      partitionKey: 'store-0001',
      data,
      arrivedAt: NOON,
    });
    const whole = at(signRecord(json(detection()), lane));
    const screened = at(signRecord(json({ ...detection(), faceEmbedding: EMBEDDING }), lane));
    const asked: (readonly string[])[] = [];
    const load = async (signers: readonly string[]) => {
      asked.push(signers);
      return VIEW;
    };

    // Act
    await screenVerifying((view) => transform(firehoseEvent([whole]), view), load);
    await screenVerifying((view) => transform(firehoseEvent([whole, screened]), view), load);

    // Assess
    expect(asked).toEqual([['panel-store-0001-lane-01']]);
  });
});

describe('Function: processBatch on a signed record whose envelope cannot be read', () => {
  it('dead-letters it as undecodable, never as unsigned, and never counts it as an unsigned record', async () => {
    // Prepare: a signed record cut inside its signature (the envelope's framing is broken).
    const signed = streamRecords([detection()])[0] as StreamRecord;
    const cut = { ...signed, data: (signed.data as Uint8Array).subarray(0, 60) };

    for (const policy of ['refuse', 'accept'] as const) {
      // Act
      const { result, letters } = await process([cut], policy);

      // Assess: one letter, for what is wrong with it; the migration window's metric is for
      // senders that do not sign, and this one did.
      expect(letters.map((l) => [l.reason, l.detail])).toEqual([
        ['undecodable', 'signed record cut short'],
      ]);
      expect(result.stats.unsignedAccepted).toBe(0);
      expect(result.stats.counted).toBe(0);
    }
  });
});
