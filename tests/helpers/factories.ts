import { createHash, type KeyObject } from 'node:crypto';
import { ulid } from 'ulid';
import type { DetectionEvent, DetectionOutcomeEvent, OncallIncidentEvent } from '#contract';
import { ed25519FromSeed, type RecordSigner, rawPublicKey, signRecord } from '#wire';
import type { DeviceInfo } from '../../functions/domain/registry-types.js';

/** 2026-06-15T12:00:00Z: noon UTC, the same calendar day in every simulated store zone. */
export const NOON = Date.UTC(2026, 5, 15, 12);

let seq = 0;
const nextSeq = () => ++seq;

export function detection(overrides: Partial<DetectionEvent> = {}): DetectionEvent {
  return {
    schemaVersion: 1,
    type: 'detection',
    eventId: ulid(NOON),
    deviceId: 'panel-store-0001-lane-01',
    occurredAt: new Date(NOON).toISOString(),
    seq: nextSeq(),
    storeId: 'store-0001',
    detectionId: ulid(NOON),
    laneId: 'lane-01',
    category: 'missed_scan',
    confidence: 0.91,
    estimatedLossCents: 1_250,
    model: { name: 'shrink-vision', version: '4.2.1' },
    ...overrides,
  };
}

/**
 * A detection as the vision process posts it to its panel PC's daemon, at `at` (default now):
 * no schemaVersion, eventId, deviceId or seq, which the daemon fills in.
 */
export function postedDetection(storeId: string, at = Date.now()) {
  const { schemaVersion, eventId, deviceId, seq, ...posted } = detection({
    storeId,
    occurredAt: new Date(at).toISOString(),
    detectionId: ulid(at),
  });
  return posted;
}

export function outcome(
  of: Pick<DetectionEvent, 'detectionId' | 'storeId' | 'deviceId'>,
  overrides: Partial<DetectionOutcomeEvent> = {},
): DetectionOutcomeEvent {
  return {
    schemaVersion: 1,
    type: 'detection_outcome',
    eventId: ulid(NOON + 60_000),
    deviceId: of.deviceId,
    occurredAt: new Date(NOON + 60_000).toISOString(),
    seq: nextSeq(),
    storeId: of.storeId,
    detectionId: of.detectionId,
    outcome: 'recovered',
    recoveredCents: 1_250,
    ...overrides,
  } as DetectionOutcomeEvent;
}

export function incident(overrides: Partial<OncallIncidentEvent> = {}): OncallIncidentEvent {
  return {
    schemaVersion: 1,
    type: 'oncall_incident',
    eventId: ulid(NOON),
    deviceId: 'agent-team-pos',
    occurredAt: new Date(NOON).toISOString(),
    seq: nextSeq(),
    incidentId: `inc-${ulid(NOON).toLowerCase()}`,
    teamId: 'team-pos',
    incidentClass: 'pos_offline',
    openedAt: new Date(NOON - 3_600_000).toISOString(),
    resolvedAt: new Date(NOON).toISOString(),
    resolution: 'automated',
    engineerMinutes: 5,
    ...overrides,
  } as OncallIncidentEvent;
}

/** A registry view for store-0001 (America/New_York) with one panel and one agent. */
/**
 * A device's test signing key: Ed25519 from a seed derived from its id (deterministic, so
 * that a test's records are the same bytes every run). Never a key outside the tests.
 */
export function testKey(deviceId: string): KeyObject {
  return ed25519FromSeed(createHash('sha256').update(`test-key:${deviceId}`).digest());
}

/** The signer a test device puts records with (its key `test-1`). */
export const testSigner = (deviceId: string): RecordSigner => ({
  signer: deviceId,
  keyId: TEST_KEY_ID,
  privateKey: testKey(deviceId),
});

export const TEST_KEY_ID = 'test-1';

/** A registry entry's keys: the device's test key, valid since 2000. */
export const testKeys = (deviceId: string) => [
  {
    keyId: TEST_KEY_ID,
    publicKey: rawPublicKey(testKey(deviceId)),
    validFrom: '2000-01-01T00:00:00Z',
  },
];

const panel = (deviceId: string, storeId: string) => ({
  deviceId,
  kind: 'panel' as const,
  storeId,
  keys: testKeys(deviceId),
});

export const REGISTRY = {
  devices: new Map<string, DeviceInfo>([
    ['panel-store-0001-lane-01', panel('panel-store-0001-lane-01', 'store-0001')],
    ['panel-store-0002-lane-01', panel('panel-store-0002-lane-01', 'store-0002')],
    [
      'gateway-store-0001',
      {
        deviceId: 'gateway-store-0001',
        kind: 'gateway' as const,
        storeId: 'store-0001',
        keys: testKeys('gateway-store-0001'),
      },
    ],
    [
      'agent-team-pos',
      {
        deviceId: 'agent-team-pos',
        kind: 'agent' as const,
        teamId: 'team-pos',
        keys: testKeys('agent-team-pos'),
      },
    ],
  ]),
  stores: new Map([
    ['store-0001', { storeId: 'store-0001', region: 'us-east', timeZone: 'America/New_York' }],
    ['store-0002', { storeId: 'store-0002', region: 'uk', timeZone: 'Europe/London' }],
  ]),
};

/**
 * Wraps events as stream records of one shard, one JSON event per record, each signed as
 * its own device does (`signer`: `'own'`, the default) with its test key, or by a given
 * signer, or unsigned (`false`). A string (raw bytes) is signed by store-0001's lane under
 * `'own'`.
 */
export function streamRecords(
  events: readonly unknown[],
  options: { shardId?: string; firstSequence?: bigint; signer?: 'own' | RecordSigner | false } = {},
): import('../../functions/processor/process-batch.js').StreamRecord[] {
  const first =
    options.firstSequence ?? 49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  return events.map((e, i) => {
    const device =
      typeof e === 'object' && e !== null && 'deviceId' in e ? String(e.deviceId) : undefined;
    const body = typeof e === 'string' ? Buffer.from(e) : Buffer.from(JSON.stringify(e));
    const signer =
      options.signer === false
        ? undefined
        : options.signer === undefined || options.signer === 'own'
          ? testSigner(device ?? 'panel-store-0001-lane-01')
          : options.signer;
    return {
      shardId: options.shardId ?? 'shardId-000000000000',
      sequenceNumber: String(first + BigInt(i) * 10n),
      partitionKey: device ?? 'raw',
      data: signer === undefined ? body : signRecord(body, signer),
      arrivedAt: NOON,
    };
  });
}

const ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const INSTANT = '2026-01-01T00:00:00Z';

/** The shortest event of each type: one-character identifiers, zeros, the shortest enums. */
export const SHORTEST_EVENTS = [
  {
    schemaVersion: 1,
    type: 'detection_outcome',
    eventId: ULID,
    deviceId: 'a',
    occurredAt: INSTANT,
    seq: 0,
    storeId: 'a',
    detectionId: ULID,
    outcome: 'recovered',
    recoveredCents: 0,
  },
  {
    schemaVersion: 1,
    type: 'detection',
    eventId: ULID,
    deviceId: 'a',
    occurredAt: INSTANT,
    seq: 0,
    storeId: 'a',
    detectionId: ULID,
    laneId: 'a',
    category: 'other',
    confidence: 0,
    estimatedLossCents: 0,
    model: { name: 'a', version: 'a' },
  },
  {
    schemaVersion: 1,
    type: 'oncall_incident',
    eventId: ULID,
    deviceId: 'a',
    occurredAt: INSTANT,
    seq: 0,
    incidentId: 'a',
    teamId: 'a',
    incidentClass: 'a',
    openedAt: INSTANT,
    resolvedAt: INSTANT,
    resolution: 'manual',
    engineerMinutes: 0,
  },
];
