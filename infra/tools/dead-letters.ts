import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DeadLetterKey,
  getDeadLetter,
  listDeadLetters,
  parseDeadLetterId,
  type StoredDeadLetter,
} from '#adapters';
import { MAX_DEAD_LETTER_DAYS, MAX_DEAD_LETTER_LIMIT } from '#api-schemas';
import { daysInclusive, eachDate, parseDate } from '#domain/calendar';
import {
  adviceFor,
  countByReason,
  DEAD_LETTER_REASONS,
  isDeadLetterReason,
} from '#domain/dead-letter-advice';
import { TABLES, TELEMETRY_STREAM } from '#shared/resources';
import { parseCommandLine } from '#utils';

// The ops API's bounds (GET /v1/ops/dead-letters), so the CLI and the API refuse alike.
const MAX_DAYS = MAX_DEAD_LETTER_DAYS;
const MAX_LIMIT = MAX_DEAD_LETTER_LIMIT;

const USAGE = `npm run dead-letters -- list [--from DATE] [--to DATE] [--reason R] [--device ID] [--limit N] [--json]
npm run dead-letters -- explain ID [--json]

list     the dead letters of arrival dates FROM to TO (UTC, default today; at most ${MAX_DAYS} days),
         newest date first: a count per reason, then one line per letter with its ID
explain  one letter: its reason and what it means, the contract's field issues, the stream
         position and how to fetch the record, and the likely fix

  --reason R     only this reason (${DEAD_LETTER_REASONS.join(', ')})
  --device ID    only letters of this deviceId
  --limit N      show at most N letters (default 100, at most ${MAX_LIMIT}); at most 20,000 are read
  --table NAME   dead-letter table (default $${TABLES.deadLetters.envVar}, else the local ${TABLES.deadLetters.localName})
  --stream NAME  the stream, for the fetch commands explain prints (default $${TELEMETRY_STREAM.envVar})
  --json         one JSON document instead of text

Reads only. Uses the AWS SDK's usual credentials and region; AWS_ENDPOINT_URL_DYNAMODB=
http://127.0.0.1:8000 points it at the embedded stack. Exit 0, 1 when explain finds no such
letter or the table cannot be read, 2 on a malformed command line.`;

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
        ? 'once fixed, a rebuild from the raw archive counts these events'
        : 'none: a rebuild judges this reason the same way again'
    }`,
    'the record, while the stream retains it (7 days):',
    `  aws kinesis get-shard-iterator --stream-name ${stream} --shard-id ${letter.shardId} \\`,
    `    --shard-iterator-type AT_SEQUENCE_NUMBER --starting-sequence-number ${letter.sequenceNumber}`,
    '  aws kinesis get-records --shard-iterator <ShardIterator> --limit 1',
  ]
    .map(printable)
    .join('\n');
}

async function main() {
  const { values, positionals } = parseCommandLine(
    {
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        reason: { type: 'string' },
        device: { type: 'string' },
        limit: { type: 'string', default: '100' },
        table: { type: 'string' },
        stream: { type: 'string' },
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
  const [command, ...rest] = positionals;
  const table =
    values.table ?? process.env[TABLES.deadLetters.envVar] ?? TABLES.deadLetters.localName;
  const client = new DynamoDBClient({});
  try {
    if (command === 'list' && rest.length === 0) {
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
      const { letters, truncated } = await listDeadLetters(client, table, {
        dates: eachDate(from, to),
        limit,
        ...(values.reason === undefined ? {} : { reason: values.reason }),
        ...(values.device === undefined ? {} : { deviceId: values.device }),
      });
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
      if (truncated) {
        console.log(
          `(stopped at --limit ${limit} or after reading 20,000 letters; narrow the dates, the reason or the device)`,
        );
      }
      return;
    }
    if (command === 'explain' && rest.length === 1) {
      let key: DeadLetterKey;
      try {
        key = parseDeadLetterId(rest[0] as string);
      } catch (error) {
        usageError((error as Error).message);
      }
      const letter = await getDeadLetter(client, table, key);
      if (letter === undefined) {
        console.error(`no dead letter ${rest[0]} in ${table}`);
        process.exitCode = 1;
        return;
      }
      const stream = values.stream ?? process.env[TELEMETRY_STREAM.envVar] ?? '<StreamName>';
      console.log(
        values.json
          ? JSON.stringify({ letter, advice: adviceFor(letter.reason) })
          : explainText(letter, stream),
      );
      return;
    }
    usageError(
      command === undefined
        ? 'name a command: list or explain'
        : `unknown use: ${positionals.join(' ')}`,
    );
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
