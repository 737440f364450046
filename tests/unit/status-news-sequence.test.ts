import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import { EdgeClient } from '../../edge-client/src/core/edge-client.js';
import { mergeStatuses, type StoreHealth } from '../../functions/domain/fleet-health.js';
import { detection } from '../helpers/factories.js';

const STORE = { storeId: 'store-0001', region: 'us-east', timeZone: 'UTC' };

describe('EdgeClient.sendStatus between heartbeats', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a rollout after its models aged out to none at once, as the pipeline (which keeps a lane's models over a status naming none) writes it", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-12-04T06:00:00.000Z'));
    // A stream that takes every record.
    const kinesis = {
      send: async (command: { input: { Records?: unknown[] } }) => ({
        Records: (command.input.Records ?? []).map((_, i) => ({
          SequenceNumber: String(i + 1),
          ShardId: 'shardId-000000000000',
        })),
        FailedRecordCount: 0,
        Shards: [
          {
            ShardId: 'shardId-000000000000',
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(2n ** 128n - 1n) },
          },
        ],
      }),
    } as unknown as KinesisClient;
    const client = await EdgeClient.open({
      streamName: 's',
      kinesis,
      spool: { dir: mkdtempSync(join(tmpdir(), 'edge-spool-')) },
    });
    const lane = ['panel-store-0001-lane-01', 'store-0001', '0.1.0'] as const;
    const of = (version: string) =>
      detection({ model: { name: 'shrink-vision', version }, seq: undefined } as never);
    try {
      await client.send([of('4.1.0')]);
      expect(await client.flush(5_000)).toBe(true);
      // A heartbeat names 4.1.0 (the pipeline keeps it as the lane's models).
      const named = await client.sendStatus(...lane);
      expect(named).toMatchObject({ models: [{ version: '4.1.0' }] });
      // 20 minutes idle: the heartbeat names none (the pipeline still keeps 4.1.0).
      expect(await client.flush(5_000)).toBe(true);
      vi.setSystemTime(Date.now() + 20 * 60_000);
      const none = await client.sendStatus(...lane);
      expect(none).toMatchObject({ models: [] });
      // The pipeline's item after both (each written: the second as RESEEN_AFTER_MS old).
      let stored: StoreHealth | undefined;
      for (const event of [named, none] as DeviceStatusEvent[]) {
        const at = Date.parse(event.occurredAt);
        const merged = mergeStatuses(stored, STORE, [{ kind: 'panel', event, arrivedAt: at }], at);
        expect(merged.write).toBe(true);
        stored = { ...merged.next, version: (stored?.version ?? 0) + 1 };
      }
      expect(stored?.devices[lane[0]]?.models).toEqual(['shrink-vision@4.1.0']);
      // Then detections of 4.2.1: the pipeline writes a rollout (4.1.0 to 4.2.1) at once, so
      // the status 5 minutes on, between heartbeats, is news.
      await client.send([of('4.2.1')]);
      expect(await client.flush(5_000)).toBe(true);
      vi.setSystemTime(Date.now() + 5 * 60_000);
      const rolled = (await client.sendStatus(...lane, { onlyNews: true })) as
        | DeviceStatusEvent
        | undefined;
      expect(rolled).toMatchObject({ models: [{ version: '4.2.1' }] });
      if (rolled !== undefined) {
        const at = Date.parse(rolled.occurredAt);
        expect(
          mergeStatuses(stored, STORE, [{ kind: 'panel', event: rolled, arrivedAt: at }], at + 1)
            .write,
        ).toBe(true);
      }
    } finally {
      vi.useRealTimers();
      await client.close(0);
    }
  });
});
