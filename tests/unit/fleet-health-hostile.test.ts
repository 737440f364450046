import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import { mergeStatuses, storeHealthReport } from '../../functions/domain/fleet-health.js';
import { pipelineStatus, shardState } from '../../functions/domain/pipeline-status.js';

/**
 * Hostile review of issue 22 (helper h-attack): each test states what should happen and
 * fails against the code as reviewed. The lead decides the fixes.
 */

const NOW = Date.parse('2026-12-02T14:00:00.000Z');
const STORE = { storeId: 'store-0001', region: 'us-east', timeZone: 'UTC' };
let seq = 0;
function status(over: Partial<DeviceStatusEvent> = {}, at = NOW): DeviceStatusEvent {
  return {
    schemaVersion: 1,
    type: 'device_status',
    eventId: ulid(at),
    deviceId: 'panel-store-0001-lane-01',
    occurredAt: new Date(at).toISOString(),
    seq: ++seq,
    storeId: 'store-0001',
    spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
    daemonVersion: '0.1.0',
    models: [{ name: 'shrink-vision', version: '4.2.1' }],
    ...over,
  };
}

describe('Hostile: fleet health', () => {
  it('a lane with no detection since its last status (models: []) is no material change: no write before the refresh', () => {
    // The edge client sends the models of the detections accepted since the previous status
    // and clears them (EdgeClient.sendStatus), so a quiet lane alternates [m] and []. Each flip
    // counts as material today, so a store with sparse detections is written on nearly
    // every status instead of every REFRESH_AFTER_MS, and the entry forgets its models.
    const first = mergeStatuses(
      undefined,
      STORE,
      [{ kind: 'panel' as const, event: status(), arrivedAt: NOW }],
      NOW,
    );
    const stored = { ...first.next, version: 1 };
    const later = NOW + 5 * 60_000;
    const quiet = mergeStatuses(
      stored,
      STORE,
      [{ kind: 'panel' as const, event: status({ models: [] }, later), arrivedAt: later }],
      later,
    );
    expect(quiet.write).toBe(false);
    expect(quiet.next.devices['panel-store-0001-lane-01']?.models).toEqual(['shrink-vision@4.2.1']);
  });

  it('a PC back from an hour offline, with a correct clock, is not reported as a clock off by the time its status waited in the spool', () => {
    // The daemon spools a status every 5 minutes while the uplink is down; when it comes back,
    // a status made 30 minutes ago arrives now. occurredAt minus arrival is then -30 min,
    // which the report (and statusFigures' maxClockSkewSeconds, the DeviceClockSkew alarm's
    // metric) takes for a clock 30 minutes behind: the "PC offline for an hour" fault
    // trips the clock-skew alarm.
    const made = NOW - 30 * 60_000;
    const { next } = mergeStatuses(
      undefined,
      STORE,
      [
        {
          kind: 'panel' as const,
          event: status({ spool: { bytes: 40_000, oldestUnsentAgeSeconds: 1_800 } }, made),
          arrivedAt: NOW,
        },
      ],
      NOW,
    );
    const report = storeHealthReport(next, NOW);
    expect(Math.abs(report.maxClockOffsetMs)).toBeLessThan(60_000);
  });
});

describe('Hostile: pipeline status', () => {
  it('a shard status item without a readable batchAt is not ok', () => {
    // decode() of dynamodb-shard-status.ts turns a missing batchAt into '' and missing numbers
    // into 0; Date.parse('') is NaN, so `now - NaN > QUIET_AFTER_MS` is false and the shard
    // reads ok (and its lastBatchAgoMs is NaN).
    const state = shardState(
      {
        shardId: 'shardId-000000000000',
        batchAt: '',
        newestArrivedAt: '',
        iteratorAgeMs: 0,
        records: 0,
        events: 0,
        counted: 0,
        deadLettered: 0,
        failedRecords: 0,
      },
      NOW,
    );
    expect(state).not.toBe('ok');
  });

  it('a shard closed by a reshard, long drained, does not hold the pipeline "behind" for ever', () => {
    // Operators reshard a stream that is behind. The parent's last batch (behind) stays in the
    // pipeline-status table, and pipelineStatus lists every shard with a status item, open or
    // not, so the pipeline's state is 'behind' (npm run pipeline-status exits 1) from then on,
    // though every open shard is ok.
    const batch = (shardId: string, at: number, iteratorAgeMs: number) => ({
      shardId,
      batchAt: new Date(at).toISOString(),
      newestArrivedAt: new Date(at - iteratorAgeMs).toISOString(),
      iteratorAgeMs,
      records: 100,
      events: 1_000,
      counted: 1_000,
      deadLettered: 0,
      failedRecords: 0,
    });
    const status = pipelineStatus({
      shardIds: ['shardId-000000000001', 'shardId-000000000002'],
      statuses: [
        batch('shardId-000000000000', NOW - 2 * 86_400_000, 20 * 60_000),
        batch('shardId-000000000001', NOW - 1_000, 500),
        batch('shardId-000000000002', NOW - 1_000, 700),
      ],
      letters: [],
      now: NOW,
    });
    expect(status.state).toBe('ok');
  });
});
