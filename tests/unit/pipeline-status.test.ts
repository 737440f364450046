import { describe, expect, it } from 'vitest';
import {
  BEHIND_AFTER_MS,
  pipelineStatus,
  QUIET_AFTER_MS,
  shardState,
} from '../../functions/domain/pipeline-status.js';
import type { ShardStatus } from '../../functions/domain/ports.js';

const NOW = Date.parse('2026-12-02T14:30:00.000Z');
const status = (over: Partial<ShardStatus> = {}): ShardStatus => ({
  shardId: 'shardId-000000000000',
  batchAt: new Date(NOW - 5_000).toISOString(),
  newestArrivedAt: new Date(NOW - 6_000).toISOString(),
  iteratorAgeMs: 1_000,
  records: 40,
  events: 480,
  counted: 470,
  deadLettered: 2,
  failedRecords: 0,
  ...over,
});

describe('pipeline status', () => {
  it('judges a shard by its last batch: failing before behind before quiet', () => {
    expect(shardState(status(), NOW)).toBe('ok');
    expect(shardState(undefined, NOW)).toBe('unseen');
    expect(shardState(status({ iteratorAgeMs: BEHIND_AFTER_MS + 1 }), NOW)).toBe('behind');
    expect(shardState(status({ iteratorAgeMs: BEHIND_AFTER_MS }), NOW)).toBe('ok');
    const old = new Date(NOW - QUIET_AFTER_MS - 1).toISOString();
    expect(shardState(status({ batchAt: old }), NOW)).toBe('quiet');
    expect(
      shardState(
        status({ failedRecords: 3, iteratorAgeMs: BEHIND_AFTER_MS * 2, batchAt: old }),
        NOW,
      ),
    ).toBe('failing');
  });

  it("lists the stream's shards and any shard that still reports, with the worst state overall", () => {
    const report = pipelineStatus({
      shardIds: ['shardId-000000000001', 'shardId-000000000000'],
      statuses: [status(), status({ shardId: 'shardId-000000000002', iteratorAgeMs: 600_000 })],
      letters: [],
      now: NOW,
    });

    expect(report.shards.map((s) => [s.shardId, s.state])).toEqual([
      ['shardId-000000000000', 'ok'],
      ['shardId-000000000001', 'unseen'],
      ['shardId-000000000002', 'behind'],
    ]);
    expect(report.state).toBe('behind');
    expect(report.maxIteratorAgeMs).toBe(600_000);
    expect(report.shards[0]?.lastBatchAgoMs).toBe(5_000);
  });

  it('counts dead letters per arrival hour over the last 24 hours, every hour listed, older ones left out', () => {
    const report = pipelineStatus({
      shardIds: [],
      statuses: [],
      letters: [
        { arrivedAt: '2026-12-02T14:10:00.000Z', count: 3 },
        { arrivedAt: '2026-12-02T14:59:59.000Z', count: 1 },
        { arrivedAt: '2026-12-01T15:00:00.000Z', count: 2 },
        { arrivedAt: '2026-12-01T14:59:59.000Z', count: 100 },
      ],
      now: NOW,
    });

    expect(report.deadLettersPerHour).toHaveLength(24);
    expect(report.deadLettersPerHour[0]).toEqual({ hour: '2026-12-01T15', letters: 1, records: 2 });
    expect(report.deadLettersPerHour[23]).toEqual({
      hour: '2026-12-02T14',
      letters: 2,
      records: 4,
    });
    expect(report.deadLettersPerHour.reduce((sum, h) => sum + h.records, 0)).toBe(6);
    expect(report.state).toBe('unseen');
  });

  it('lists the errors of the last batches, newest first', () => {
    const report = pipelineStatus({
      shardIds: [],
      statuses: [
        status({
          error: { message: 'registry lookup failed; retrying the batch' },
          failedRecords: 40,
        }),
        status({
          shardId: 'shardId-000000000001',
          batchAt: new Date(NOW - 1_000).toISOString(),
          error: {
            message: 'aggregate read failed; retrying the batch',
            name: 'ThrottlingException',
          },
          failedRecords: 10,
        }),
      ],
      letters: [],
      now: NOW,
    });

    expect(report.recentErrors.map((e) => [e.shardId, e.name])).toEqual([
      ['shardId-000000000001', 'ThrottlingException'],
      ['shardId-000000000000', undefined],
    ]);
    expect(report.state).toBe('failing');
  });
});
