/**
 * What signing costs (issue 20), measured on the same events as the benchmark that calls it:
 * the sender's signature per record (`signRecord`, what a daemon or gateway adds to each
 * PutRecords record), and the processor's check per record (`decodeRecord` then
 * `checkSignature`, against `decodeRecord` alone on the same records unsigned), for records of
 * one event and of the store gateway's ten.
 */
import type { TelemetryEvent } from '#contract';
import { deflateWithDictionary, encodeAggregate, signRecord } from '#wire';
import { decodeRecord } from '../../functions/domain/decode-record.js';
import type { DeviceInfo, RegistryView } from '../../functions/domain/registry-types.js';
import { checkSignature } from '../../functions/domain/signature-check.js';
import { testKeys, testSigner } from '../helpers/factories.js';

const SIGNER = 'gateway-bench';

/** Median of `rounds` runs of `fn`, in CPU microseconds. */
export function cpuMicros(fn: () => void, rounds = 3): number {
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    runs.push(used.user + used.system);
  }
  return runs.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number;
}

export interface SigningCost {
  readonly eventsPerRecord: number;
  readonly records: number;
  /** The sender's cost per record. */
  readonly signMicrosPerRecord: number;
  /** The processor's added cost: decode and verify, less decode alone. */
  readonly verifyMicrosPerRecord: number;
  readonly verifyMicrosPerEvent: number;
  /** Decode alone, for scale. */
  readonly decodeMicrosPerRecord: number;
}

/** Signing and verification costs for `events` packed `eventsPerRecord` to a record. */
export function signingCost(
  events: readonly TelemetryEvent[],
  eventsPerRecord: number,
): SigningCost {
  const bodies: Buffer[] = [];
  for (let i = 0; i < events.length; i += eventsPerRecord) {
    const group = events.slice(i, i + eventsPerRecord);
    const users = group.map((e) => Buffer.from(JSON.stringify(e)));
    bodies.push(
      eventsPerRecord === 1
        ? (users[0] as Buffer)
        : deflateWithDictionary(
            encodeAggregate(users.map((data) => ({ partitionKey: 'p', data }))),
          ),
    );
  }
  const signer = testSigner(SIGNER);
  let signed: Buffer[] = [];
  const sign = cpuMicros(() => {
    signed = bodies.map((b) => signRecord(b, signer));
  });
  // The signer may carry every event: a store's gateway would (stores apart, the check is the
  // same work), so the benchmark's events all pass.
  const gateway: DeviceInfo = {
    deviceId: SIGNER,
    kind: 'gateway',
    storeId: 'bench',
    keys: testKeys(SIGNER),
  };
  const registry: RegistryView = { device: () => gateway, store: () => undefined };
  const arrivedAt = Date.now();
  let failed = 0;
  const decodeOnly = cpuMicros(() => {
    for (const b of bodies) decodeRecord(b);
  });
  const decodeAndVerify = cpuMicros(() => {
    for (const s of signed) {
      const decoded = decodeRecord(s);
      const verdict = checkSignature(
        {
          ...(decoded.envelope !== undefined && { envelope: decoded.envelope }),
          events: [],
          arrivedAt,
        },
        registry,
        'refuse',
      );
      if (!verdict.ok) failed++;
    }
  });
  if (failed > 0) throw new Error(`${failed} signed records did not verify`);
  const n = bodies.length;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    eventsPerRecord,
    records: n,
    signMicrosPerRecord: round(sign / n),
    verifyMicrosPerRecord: round((decodeAndVerify - decodeOnly) / n),
    verifyMicrosPerEvent: round((decodeAndVerify - decodeOnly) / events.length),
    decodeMicrosPerRecord: round(decodeOnly / n),
  };
}
