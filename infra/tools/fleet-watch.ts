import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FleetWatchReport } from '#domain/fleet-watch';
import { watchFleet } from '#fleet-watch';
import { TABLES } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { LOCAL_OPTION, LOCAL_USAGE, pointAtLocalStack, runTool } from './run-tool.js';

const USAGE = `npm run fleet-watch -- [--json]

What the scheduled fleet watch reports, once, now: stores silent during their open hours (heard
from before, no status for 30 minutes, open throughout them: the SilentStoreDuringOpenHours
alarm's figure), stores registered but never heard from that are open now, the counts per
region, and the stores silent longest.

  --table NAME      the aggregates table (default $${TABLES.aggregates.envVar}, else the local ${TABLES.aggregates.localName})
  --at ISO-8601     judge as of this instant instead of now
  --max-stores N    most coverage summaries to read (default 50000)
  --json            one JSON document instead of text

Reads only (one Query of the coverage partition). Uses the AWS SDK's usual credentials and
region (AWS_ENDPOINT_URL_DYNAMODB points it at the embedded stack). Exit 0 when no store is
silent during its open hours, 1 when one is (or the read failed), 2 on a malformed command line.
${LOCAL_USAGE}`;

function reportText(report: FleetWatchReport, truncated: boolean, unreadable: number): string[] {
  const lines = [
    `fleet watch at ${report.asOf}: ${report.stores} store(s) watched, ${report.storesOpen} open`,
    `silent during open hours: ${report.silentDuringOpenHours}`,
    `never heard from, open now: ${report.neverHeardWhileOpen}`,
  ];
  if (report.unjudged > 0) lines.push(`not judged (unreadable profile): ${report.unjudged}`);
  if (unreadable > 0) lines.push(`not read (no coverage summary in the item): ${unreadable}`);
  if (truncated) lines.push('(stopped at --max-stores: more stores are stored)');
  for (const r of report.regions) {
    lines.push(
      `  ${r.region.padEnd(20)} ${String(r.silentDuringOpenHours).padStart(5)} silent ${String(r.neverHeardWhileOpen).padStart(5)} never heard, of ${r.stores}`,
    );
  }
  if (report.silent.length > 0) lines.push('silent longest:');
  for (const s of report.silent) {
    lines.push(
      `  ${s.storeId.padEnd(20)} ${s.region.padEnd(16)} last heard ${s.lastHeardAt} (${s.silentMinutes} min)`,
    );
  }
  if (report.neverHeard.length > 0) lines.push('never heard from:');
  for (const s of report.neverHeard) {
    lines.push(`  ${s.storeId.padEnd(20)} ${s.region.padEnd(16)} registered ${s.registeredAt}`);
  }
  return lines;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        ...LOCAL_OPTION,
        table: { type: 'string' },
        at: { type: 'string' },
        'max-stores': { type: 'string', default: '50000' },
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
  const now = values.at === undefined ? Date.now() : Date.parse(values.at);
  if (!Number.isFinite(now)) fail(`--at must be an ISO-8601 instant, got "${values.at}"`);
  const maxStores = Number(values['max-stores']);
  if (!Number.isInteger(maxStores) || maxStores < 1)
    fail('--max-stores must be a positive integer');
  if (values.local) pointAtLocalStack();
  const dynamodb = new DynamoDBClient({});
  try {
    const aggregatesTable =
      values.table ?? process.env[TABLES.aggregates.envVar] ?? TABLES.aggregates.localName;
    const run = await watchFleet(dynamodb, { aggregatesTable, maxStores, now });
    if (values.json) {
      console.log(
        JSON.stringify({ ...run.report, truncated: run.truncated, unreadable: run.unreadable }),
      );
    } else {
      for (const line of reportText(run.report, run.truncated, run.unreadable)) console.log(line);
    }
    if (run.report.silentDuringOpenHours > 0) process.exitCode = 1;
  } finally {
    dynamodb.destroy();
  }
}

runTool(main);
