import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { type ProcessorDeps, processBatch } from '../../functions/processor/process-batch.js';
import { NOON } from './factories.js';
import {
  InMemoryAggregates,
  InMemoryDeadLetters,
  silentLogger,
  staticRegistry,
} from './in-memory-aggregates.js';
import type { readStream } from './stream-reader.js';

/**
 * The processor over records read off a stream (readStream), each handed over as it was put
 * (`raw`) and arrived at NOON, into in-memory aggregates and dead letters with the test
 * registry; `options` overrides the processor's settings (e.g. `unsignedRecords`).
 */
export async function processStream(
  records: Awaited<ReturnType<typeof readStream>>,
  options: Partial<Pick<ProcessorDeps, 'unsignedRecords'>> = {},
) {
  const aggregates = new InMemoryAggregates();
  const deadLetters = new InMemoryDeadLetters();
  const result = await processBatch(
    records.map(({ shardId, sequenceNumber, partitionKey, raw }) => ({
      shardId,
      sequenceNumber,
      partitionKey,
      data: raw,
      arrivedAt: NOON,
    })),
    {
      aggregates,
      registry: staticRegistry,
      deadLetters,
      logger: silentLogger,
      fold: { baselines: DEFAULT_BASELINES },
      eventTime: DEFAULT_EVENT_TIME_RULES,
      ...options,
    },
  );
  return { result, aggregates, deadLetters };
}
