import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type DeadLetterKey,
  DynamoDbDeadLetters,
  getDeadLetter,
  listDeadLetters,
  markReplayed,
  parseDeadLetterId,
  type StoredDeadLetter,
} from '#adapters';
import { MAX_DEAD_LETTER_DAYS, MAX_DEAD_LETTER_LIMIT } from '#api-schemas';
import {
  archiveSource,
  type LetterResult,
  type RecordSource,
  type ReplayReport,
  replayDeadLetters,
  selectReplayLetters,
  streamSource,
} from '#archive';
import { daysInclusive, eachDate, parseDate } from '#domain/calendar';
import {
  adviceFor,
  countByReason,
  DEAD_LETTER_REASONS,
  isDeadLetterReason,
} from '#domain/dead-letter-advice';
import {
  replayIncident,
  TOOLKIT_ENGINEER_MINUTES,
  TOOLKIT_INCIDENT_CLASSES,
  toolkitIncident,
} from '#domain/toolkit-incident';
import { createKinesisClient } from '#edge-client';
import { loadProcessorConfig, processorDeps } from '#processor';
import { TABLES, TELEMETRY_STREAM } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { LOCAL_OPTION, LOCAL_USAGE, pointAtLocalStack, runTool } from './run-tool.js';
import { reportToolkitIncident, TOOLKIT_EDGE_CONFIG } from './toolkit-incident.js';

// The ops API's bounds (GET /v1/ops/dead-letters), so the CLI and the API refuse alike.
const MAX_DAYS = MAX_DEAD_LETTER_DAYS;
const MAX_LIMIT = MAX_DEAD_LETTER_LIMIT;

const USAGE = `npm run dead-letters -- list [--from DATE] [--to DATE] [--reason R] [--device ID] [--limit N] [--json]
npm run dead-letters -- explain ID [--json]
npm run dead-letters -- replay [ID...] [--from DATE] [--to DATE] [--reason R] [--device ID] [--limit N] [--yes]

list     the dead letters of arrival dates FROM to TO (UTC, default today; at most ${MAX_DAYS} days),
         newest date first: a count per reason, then one line per letter with its ID
explain  one letter: its reason and what it means, the contract's field issues, the stream
         position and how to fetch the record, and the likely fix
replay   after a fix (a device or its key registered late), runs the records of the named
         letters, or of the range's letters whose reason a fix can recover and that no replay
         has counted, through the same exactly-once processor: from the stream while it
         retains them, else from the raw archive. Without --yes it only says what it would
         replay. Replaying twice changes nothing.

  --reason R     only this reason (${DEAD_LETTER_REASONS.join(', ')})
  --device ID    only letters of this deviceId
  --limit N      show at most N letters (default 100, at most ${MAX_LIMIT}); at most 20,000 are read
  --table NAME   dead-letter table (default $${TABLES.deadLetters.envVar}, else the local ${TABLES.deadLetters.localName})
  --stream NAME  the stream, for the fetch commands explain prints (default $${TELEMETRY_STREAM.envVar})
  --json         one JSON document instead of text
  --yes          (replay) replay; without it, a dry run
  --source S     (replay) auto (the default: the stream, then the archive), stream or archive
  --archive DIR  (replay) the raw archive folder (default .data/archive; for S3, sync raw/ down)
  --report-incident TEAM
                 (replay) once letters counted, report the resolved pipeline incident as an
                 oncall_incident of TEAM (class ${TOOLKIT_INCIDENT_CLASSES.replay}, assisted),
                 sent through the edge client of $${TOOLKIT_EDGE_CONFIG} (the toolkit's agent
                 device, registered to TEAM), so the pipeline counts the hours it saved
  --engineer-minutes N
                 (replay) minutes the operator spent on it, for that report (default 5)

list and explain read only. replay writes the aggregates and the letters: it judges records
with the processor settings in this environment ($${TABLES.aggregates.envVar}, $${TABLES.registry.envVar},
HOURS_SAVED_BASELINES, UNSIGNED_RECORDS, CLOCK_SKEW_TOLERANCE_SECONDS,
LATE_EVENT_HORIZON_DAYS; defaults as the processor's), which must match the deployed
processor's.

Uses the AWS SDK's usual credentials and region; AWS_ENDPOINT_URL_DYNAMODB=
http://127.0.0.1:8000 and AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 point it at the
embedded stack. Exit 0, 1 when explain finds no such
letter or the table cannot be read, or when replay leaves a letter refused again or its record
not found, 2 on a malformed command line.
${LOCAL_USAGE}`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function dateOption(name: string, value: string | undefined, fallback: string): string {
  const date = value ?? fallback;
  if (parseDate(date) === undefined) usageError(`--${name} must be a date, YYYY-MM-DD`);
  return date;
}

/**
 * A letter's detail names fields an event carried, and a hostile sender chooses those names:
 * control characters are shown escaped, so no letter can drive the operator's terminal.
 */
function printable(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

function describeLine(letter: StoredDeadLetter): string {
  const device = letter.deviceId === undefined ? '' : ` ${letter.deviceId}`;
  return printable(
    `${letter.id}  ${letter.reason}  ${letter.count} record(s)${device}  arrived ${letter.arrivedAt}`,
  );
}

function explainText(letter: StoredDeadLetter, stream: string): string {
  const advice = adviceFor(letter.reason);
  const events =
    letter.eventIds.length === 0
      ? 'none parsed'
      : `${letter.eventIds.length} (${letter.eventIds.slice(0, 5).join(', ')}${letter.eventIds.length > 5 ? ', ...' : ''})`;
  return [
    `letter      ${letter.id}`,
    `reason      ${letter.reason}: ${advice.meaning}`,
    `detail      ${letter.detail || '(none)'}`,
    `records     ${letter.count}, ${letter.sizeBytes} bytes; events ${events}`,
    `device      ${letter.deviceId ?? '(not parsed)'}`,
    `arrived     ${letter.arrivedAt}; dead-lettered ${letter.deadLetteredAt}`,
    `position    shard ${letter.shardId}, sequence ${letter.sequenceNumber}, sub-sequence ${letter.subSequenceNumber}`,
    `fix         ${advice.fix}`,
    `recovery    ${
      advice.recovery === 'rebuild_after_fix'
        ? `once fixed, replay counts these events (npm run dead-letters -- replay ${letter.id})`
        : 'none: a replay or rebuild judges this reason the same way again'
    }`,
    ...(letter.replay === undefined
      ? []
      : [
          `replayed    ${letter.replay.at}: ${letter.replay.outcome}${letter.replay.reasons === undefined ? '' : ` (${letter.replay.reasons.join(', ')})`}`,
        ]),
    'the record, while the stream retains it (7 days):',
    `  aws kinesis get-shard-iterator --stream-name ${stream} --shard-id ${letter.shardId} \\`,
    `    --shard-iterator-type AT_SEQUENCE_NUMBER --starting-sequence-number ${letter.sequenceNumber}`,
    '  aws kinesis get-records --shard-iterator <ShardIterator> --limit 1',
  ]
    .map(printable)
    .join('\n');
}

type Values = ReturnType<typeof parseOptions>['values'];

function parseOptions() {
  return parseCommandLine(
    {
      allowPositionals: true,
      options: {
        ...LOCAL_OPTION,
        from: { type: 'string' },
        to: { type: 'string' },
        reason: { type: 'string' },
        device: { type: 'string' },
        limit: { type: 'string', default: '100' },
        table: { type: 'string' },
        stream: { type: 'string' },
        json: { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        source: { type: 'string', default: 'auto' },
        archive: { type: 'string', default: '.data/archive' },
        'report-incident': { type: 'string' },
        'engineer-minutes': { type: 'string', default: String(TOOLKIT_ENGINEER_MINUTES) },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
}

/** The dates, limit and filters of list and replay, checked. */
function rangeQuery(values: Values) {
  const today = new Date().toISOString().slice(0, 10);
  const to = dateOption('to', values.to, today);
  const from = dateOption('from', values.from, values.to === undefined ? today : to);
  if (from > to) usageError('--from is after --to');
  if (daysInclusive(from, to) > MAX_DAYS) usageError(`at most ${MAX_DAYS} days at a time`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    usageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  if (values.reason !== undefined && !isDeadLetterReason(values.reason)) {
    usageError(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}`);
  }
  return {
    from,
    to,
    limit,
    query: {
      dates: eachDate(from, to),
      limit,
      ...(values.reason === undefined ? {} : { reason: values.reason }),
      ...(values.device === undefined ? {} : { deviceId: values.device }),
    },
  };
}

const TRUNCATED = (limit: number) =>
  `(stopped at --limit ${limit} or after reading 20,000 letters; narrow the dates, the reason or the device)`;

async function listCommand(client: DynamoDBClient, table: string, values: Values) {
  const { from, to, limit, query } = rangeQuery(values);
  const { letters, truncated } = await listDeadLetters(client, table, query);
  const byReason = countByReason(letters);
  if (values.json) {
    console.log(JSON.stringify({ from, to, table, byReason, letters, truncated }));
    return;
  }
  console.log(`dead letters arrived ${from} to ${to} (${table}): ${letters.length}`);
  for (const r of byReason) {
    console.log(`  ${r.reason}: ${r.letters} letter(s), ${r.records} record(s)`);
  }
  for (const letter of letters) console.log(describeLine(letter));
  if (truncated) console.log(TRUNCATED(limit));
}

function letterKey(id: string): DeadLetterKey {
  try {
    return parseDeadLetterId(id);
  } catch (error) {
    usageError((error as Error).message);
  }
}

async function explainCommand(client: DynamoDBClient, table: string, id: string, values: Values) {
  const letter = await getDeadLetter(client, table, letterKey(id));
  if (letter === undefined) {
    console.error(`no dead letter ${printable(id)} in ${table}`);
    process.exitCode = 1;
    return;
  }
  const stream = values.stream ?? process.env[TELEMETRY_STREAM.envVar] ?? '<StreamName>';
  console.log(
    values.json
      ? JSON.stringify({ letter, advice: adviceFor(letter.reason) })
      : explainText(letter, stream),
  );
}

/** The letters a replay takes: those named, or the range's recoverable letters not yet counted. */
function lettersToReplay(
  client: DynamoDBClient,
  table: string,
  ids: readonly string[],
  values: Values,
): Promise<{ letters: StoredDeadLetter[]; truncated: boolean; missing: string[] }> {
  const reader = {
    list: (query: Parameters<typeof listDeadLetters>[2]) => listDeadLetters(client, table, query),
    get: (key: DeadLetterKey) => getDeadLetter(client, table, key),
  };
  if (ids.length === 0) return selectReplayLetters(reader, rangeQuery(values).query);
  if (ids.length > MAX_LIMIT) usageError(`at most ${MAX_LIMIT} letters at a time`);
  for (const id of ids) letterKey(id);
  return selectReplayLetters(reader, { ids });
}

function replaySources(values: Values, kinesis: KinesisClient): RecordSource[] {
  if (!['auto', 'stream', 'archive'].includes(values.source)) {
    usageError('--source is auto, stream or archive');
  }
  const stream =
    values.stream ?? process.env[TELEMETRY_STREAM.envVar] ?? TELEMETRY_STREAM.localName;
  const sources: RecordSource[] = [];
  if (values.source !== 'archive') sources.push(streamSource(kinesis, stream));
  if (values.source !== 'stream') sources.push(archiveSource(resolve(values.archive)));
  return sources;
}

/** The processor's settings from this environment, with the tables defaulting to the local ones. */
function processorConfig(deadLetterTable: string) {
  const table = (t: { envVar: string; localName: string }) => process.env[t.envVar] ?? t.localName;
  return loadProcessorConfig({
    ...process.env,
    [TABLES.aggregates.envVar]: table(TABLES.aggregates),
    [TABLES.registry.envVar]: table(TABLES.registry),
    [TABLES.deadLetters.envVar]: deadLetterTable,
  });
}

const OUTCOME_TEXT: Record<LetterResult['outcome'], string> = {
  would_replay: 'would replay',
  counted: 'counted',
  refused_again: 'refused again',
  not_found: 'record not found in the stream or the archive',
  not_replayable: 'not replayable: a replay judges this reason the same way again',
};

function replayText(report: ReplayReport): string[] {
  const { records } = report;
  const found = `${records.stream} from the stream, ${records.archive} from the archive, ${records.notFound} not found`;
  const head = report.dryRun
    ? `dry run: ${report.letters} letter(s), ${records.wanted} record(s) to replay (${found})`
    : `replayed ${records.wanted - records.notFound} record(s) (${found}): ${report.counted} event(s) counted, ${report.duplicates} already counted, ${report.deadLettered} dead-lettered again`;
  const lines = report.results.map(
    (r) =>
      `${r.id}  ${r.reason}  ${r.count} record(s)  ${OUTCOME_TEXT[r.outcome]}${r.source === undefined ? '' : ` (${r.source})`}${r.reasons === undefined ? '' : `: ${r.reasons.join(', ')}`}`,
  );
  return [head, ...lines].map(printable);
}

/** The processor's log during a replay: its errors only. */
const CONSOLE_ERRORS = {
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, fields?: Record<string, unknown>) => console.error(message, fields),
};

async function replayCommand(
  client: DynamoDBClient,
  table: string,
  ids: readonly string[],
  values: Values,
) {
  const reporting = incidentReporting(values);
  // HTTP/1.1 (kinesalite speaks no other), with the SDK's retries: reads may be throttled.
  const kinesis = createKinesisClient({ maxAttempts: 6 });
  let report: ReplayReport;
  let found: Awaited<ReturnType<typeof lettersToReplay>>;
  try {
    const sources = replaySources(values, kinesis);
    found = await lettersToReplay(client, table, ids, values);
    for (const id of found.missing) console.error(`no dead letter ${printable(id)} in ${table}`);
    const config = processorConfig(table);
    report = await replayDeadLetters(found.letters, {
      sources,
      deadLetters: new DynamoDbDeadLetters(client, table),
      processor: (sink) => processorDeps(client, config, CONSOLE_ERRORS, sink),
      mark: (marks) => markReplayed(client, table, marks),
      dryRun: !values.yes,
    });
  } finally {
    kinesis.destroy();
  }
  const { truncated, missing } = found;
  const incident =
    reporting !== undefined && !report.dryRun ? await reportReplay(reporting, report) : undefined;
  if (values.json) console.log(JSON.stringify({ table, ...report, truncated, missing, incident }));
  else {
    for (const line of replayText(report)) console.log(line);
    if (incident !== undefined) {
      const where = incident.delivered
        ? 'sent'
        : 'spooled, not yet delivered (the next report sends it)';
      console.log(
        printable(
          `reported incident ${incident.incidentId} of ${incident.teamId} as ${incident.deviceId}: ${where}`,
        ),
      );
    }
    if (truncated) console.log(TRUNCATED(Number(values.limit)));
    if (report.dryRun && report.records.wanted > report.records.notFound) {
      console.log('nothing was replayed: run again with --yes to replay these records');
    }
  }
  const failed = report.results.some(
    (r) => r.outcome === 'refused_again' || r.outcome === 'not_found',
  );
  if (failed || missing.length > 0) process.exitCode = 1;
}

/** --report-incident, checked before anything is replayed. */
function incidentReporting(values: Values) {
  const teamId = values['report-incident'];
  if (teamId === undefined) return undefined;
  const configFile = process.env[TOOLKIT_EDGE_CONFIG];
  if (configFile === undefined || configFile === '') {
    usageError(`--report-incident needs $${TOOLKIT_EDGE_CONFIG}: the toolkit's edge config file`);
  }
  const engineerMinutes = Number(values['engineer-minutes']);
  const probe = { teamId, incidentClass: TOOLKIT_INCIDENT_CLASSES.replay, engineerMinutes };
  try {
    const now = new Date();
    toolkitIncident({ ...probe, resolved: [], openedAt: now.toISOString(), now });
  } catch {
    usageError('--report-incident takes a team id, and --engineer-minutes a number of minutes');
  }
  return { ...probe, configFile };
}

/** Reports the incident a replay resolved: the letters it counted. */
async function reportReplay(
  reporting: NonNullable<ReturnType<typeof incidentReporting>>,
  report: ReplayReport,
) {
  const incident = replayIncident(report.results, { ...reporting, now: new Date() });
  if (incident === undefined) return undefined;
  const sent = await reportToolkitIncident(reporting.configFile, incident);
  return { incidentId: incident.incidentId, teamId: incident.teamId, ...sent };
}

async function main() {
  const { values, positionals } = parseOptions();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [command, ...rest] = positionals;
  const table =
    values.table ?? process.env[TABLES.deadLetters.envVar] ?? TABLES.deadLetters.localName;
  if (values.local) pointAtLocalStack();
  const client = new DynamoDBClient({});
  try {
    if (command === 'list' && rest.length === 0) return await listCommand(client, table, values);
    if (command === 'explain' && rest.length === 1) {
      return await explainCommand(client, table, rest[0] as string, values);
    }
    if (command === 'replay') return await replayCommand(client, table, rest, values);
    usageError(
      command === undefined
        ? 'name a command: list, explain or replay'
        : `unknown use: ${positionals.join(' ')}`,
    );
  } finally {
    client.destroy();
  }
}

runTool(main);
