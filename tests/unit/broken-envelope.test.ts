import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { processBatch, type StreamRecord } from '../../functions/processor/process-batch.js';
import { detection, streamRecords } from '../helpers/factories.js';
import {
  InMemoryAggregates,
  InMemoryDeadLetters,
  silentLogger,
  staticRegistry,
} from '../helpers/in-memory-aggregates.js';

async function run(records: readonly StreamRecord[], unsignedRecords: 'refuse' | 'accept') {
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

describe('Function: processBatch on a signed record whose envelope cannot be read', () => {
  it('dead-letters it as undecodable, never as unsigned, and never counts it as an unsigned record', async () => {
    // Prepare: a signed record cut inside its signature (the envelope's framing is broken).
    const signed = streamRecords([detection()])[0] as StreamRecord;
    const cut = { ...signed, data: (signed.data as Uint8Array).subarray(0, 60) };

    for (const policy of ['refuse', 'accept'] as const) {
      // Act
      const { result, letters } = await run([cut], policy);

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
