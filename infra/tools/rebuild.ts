import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAggregateStore, DynamoDbDeadLetters, DynamoDbRegistry } from '#adapters';
import { readArchive, rebuildFromRecords } from '#archive';
import { DEFAULT_EVENT_TIME_RULES } from '#domain/event-time';
import { homeRetentionMs } from '#domain/home-expiry';
import { DEFAULT_BASELINES, HoursSavedBaselines } from '#domain/hours-saved';
import { ensureTable } from '#local';
import { STREAM_RETENTION_HOURS } from '#processor';
import { TABLES } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { LOCAL_OPTION, LOCAL_USAGE, pointAtLocalStack, runTool } from './run-tool.js';

const USAGE = `npm run rebuild -- --table NAME [options]

Rebuilds the aggregates from the raw archive into a table (created if --create), through the
same exactly-once processor, e.g. after changing the hours-saved baselines. Point the API at
the new table once it is checked.

  --table NAME             target aggregates table
  --create                 create the target table first
  --archive DIR            archive folder (default .data/archive; for S3, sync it down first)
  --baselines FILE         hours-saved baselines JSON (default: the built-in table)
  --registry-table NAME    default $REGISTRY_TABLE, else ${TABLES.registry.localName}
  --dead-letter-table NAME default $DEAD_LETTER_TABLE, else ${TABLES.deadLetters.localName}
  --unsigned-records refuse|accept
                           unsigned records, as the live processor's UNSIGNED_RECORDS (default
                           refuse; accept for an archive from before the senders signed)
${LOCAL_USAGE}`;

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        ...LOCAL_OPTION,
        table: { type: 'string' },
        create: { type: 'boolean', default: false },
        archive: { type: 'string', default: '.data/archive' },
        baselines: { type: 'string' },
        'registry-table': { type: 'string' },
        'dead-letter-table': { type: 'string' },
        'unsigned-records': { type: 'string', default: 'refuse' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (!['refuse', 'accept'].includes(values['unsigned-records'])) {
    console.error('--unsigned-records is refuse or accept');
    process.exit(2);
  }
  if (values.help || values.table === undefined) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const baselines =
    values.baselines === undefined
      ? DEFAULT_BASELINES
      : HoursSavedBaselines.parse(JSON.parse(readFileSync(values.baselines, 'utf8')));
  if (values.local) pointAtLocalStack();
  const client = new DynamoDBClient({});
  if (values.create) await ensureTable(client, TABLES.aggregates, values.table);
  const started = performance.now();
  const report = await rebuildFromRecords(readArchive(resolve(values.archive)), {
    // Homes expire as the processor's do; a rebuilt home of a long-past period is kept a week
    // from its write (home-expiry.ts, REBUILD_GRACE_MS), which outlasts the rebuild.
    aggregates: new DynamoDbAggregateStore(client, values.table, {
      homeRetentionMs: homeRetentionMs(
        DEFAULT_EVENT_TIME_RULES.horizonMs,
        STREAM_RETENTION_HOURS * 3_600_000,
      ),
    }),
    registry: new DynamoDbRegistry(
      client,
      values['registry-table'] ?? process.env[TABLES.registry.envVar] ?? TABLES.registry.localName,
    ),
    deadLetters: new DynamoDbDeadLetters(
      client,
      values['dead-letter-table'] ??
        process.env[TABLES.deadLetters.envVar] ??
        TABLES.deadLetters.localName,
    ),
    logger: { info: () => undefined, warn: () => undefined, error: (m, f) => console.error(m, f) },
    fold: { baselines },
    eventTime: DEFAULT_EVENT_TIME_RULES,
    unsignedRecords: values['unsigned-records'] === 'accept' ? 'accept' : 'refuse',
  });
  client.destroy();
  console.log(
    `rebuilt ${values.table} from ${report.records} records in ${report.batches} batches (${((performance.now() - started) / 1000).toFixed(1)} s): ${report.counted} events counted, ${report.duplicates} duplicates dropped, ${report.deadLettered} dead-lettered`,
  );
}

runTool(main);
