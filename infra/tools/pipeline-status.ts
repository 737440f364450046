import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PIPELINE_STATUS_MAX_LETTERS, readPipelineStatus } from '#adapters';
import type { PipelineStatus } from '#domain/pipeline-status';
import { createKinesisClient } from '#edge-client';
import { TABLES, TELEMETRY_STREAM } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { LOCAL_OPTION, LOCAL_USAGE, pointAtLocalStack, runTool } from './run-tool.js';

const USAGE = `npm run pipeline-status -- [--json]

The pipeline's own health: per shard of the stream, the processor's last batch (its iterator
age, what it counted and dead-lettered, what it left to a retry, its first error) and a state:
ok, behind (iterator age over 5 minutes), failing (records left to a retry), quiet (no batch
for 15 minutes: no traffic, or a processor that stopped) or unseen (no batch yet); then the
dead letters of the last 24 hours by arrival hour.

  --stream NAME   default $${TELEMETRY_STREAM.envVar}, else the local ${TELEMETRY_STREAM.localName}
  --status-table NAME       default $${TABLES.pipelineStatus.envVar}, else the local ${TABLES.pipelineStatus.localName}
  --dead-letter-table NAME  default $${TABLES.deadLetters.envVar}, else the local ${TABLES.deadLetters.localName}
  --json          one JSON document instead of text

Reads only. Uses the AWS SDK's usual credentials and region (AWS_ENDPOINT_URL_DYNAMODB and
AWS_ENDPOINT_URL_KINESIS point it at the embedded stack). Exit 0 when no shard is behind or
failing, 1 when one is (or a read failed), 2 on a malformed command line.
${LOCAL_USAGE}`;

const MAX_LETTERS = PIPELINE_STATUS_MAX_LETTERS;

const seconds = (ms: number) =>
  ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;

function statusText(status: PipelineStatus, lettersTruncated: boolean): string[] {
  const lines = [`pipeline status at ${status.at}: ${status.state}`];
  lines.push(
    'shard                   state    iterator age  last batch   records  events  counted  dead-lettered  left to retry',
  );
  for (const shard of status.shards) {
    const s = shard.status;
    lines.push(
      [
        shard.shardId.padEnd(23),
        shard.state.padEnd(8),
        (s === undefined ? '-' : seconds(s.iteratorAgeMs)).padEnd(13),
        (shard.lastBatchAgoMs === undefined ? '-' : `${seconds(shard.lastBatchAgoMs)} ago`).padEnd(
          12,
        ),
        String(s?.records ?? '-').padEnd(8),
        String(s?.events ?? '-').padEnd(7),
        String(s?.counted ?? '-').padEnd(8),
        String(s?.deadLettered ?? '-').padEnd(14),
        String(s?.failedRecords ?? '-'),
      ].join(' '),
    );
  }
  const letters = status.deadLettersPerHour.reduce((sum, h) => sum + h.letters, 0);
  const records = status.deadLettersPerHour.reduce((sum, h) => sum + h.records, 0);
  lines.push(
    `dead letters, last 24 hours: ${letters} letter(s), ${records} record(s)${lettersTruncated ? ` (the first ${MAX_LETTERS} read; more arrived)` : ''}`,
  );
  for (const h of status.deadLettersPerHour) {
    if (h.letters > 0)
      lines.push(`  ${h.hour}:00Z  ${h.letters} letter(s), ${h.records} record(s)`);
  }
  lines.push(status.recentErrors.length === 0 ? 'recent errors: none' : 'recent errors:');
  for (const e of status.recentErrors) {
    lines.push(
      `  ${e.at}  ${e.shardId}  ${e.message}${e.name === undefined ? '' : ` (${e.name})`}`,
    );
  }
  return lines;
}

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        ...LOCAL_OPTION,
        stream: { type: 'string' },
        'status-table': { type: 'string' },
        'dead-letter-table': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const named = (value: string | undefined, t: { envVar: string; localName: string }) =>
    value ?? process.env[t.envVar] ?? t.localName;
  const stream = named(values.stream, TELEMETRY_STREAM);
  if (values.local) pointAtLocalStack();
  const dynamodb = new DynamoDBClient({});
  const kinesis = createKinesisClient({ maxAttempts: 6 });
  try {
    const report = await readPipelineStatus(
      { kinesis, dynamodb },
      {
        stream,
        statusTable: named(values['status-table'], TABLES.pipelineStatus),
        deadLetterTable: named(values['dead-letter-table'], TABLES.deadLetters),
      },
    );
    if (values.json) console.log(JSON.stringify(report));
    else for (const line of statusText(report, report.deadLettersTruncated)) console.log(line);
    if (report.shards.some((s) => s.state === 'behind' || s.state === 'failing')) {
      process.exitCode = 1;
    }
  } finally {
    dynamodb.destroy();
    kinesis.destroy();
  }
}

runTool(main);
