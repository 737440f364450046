import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { backfillRollupTotals, registeredRegions } from '#adapters';
import { TABLES } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { LOCAL_OPTION, LOCAL_USAGE, pointAtLocalStack, runTool } from './run-tool.js';

const USAGE = `npm run backfill-totals -- [options]

Gives every organisation and region day rollup a totals copy (what /v1/impact reads), once,
for aggregates written before the copies existed. Safe while the processor runs, and safe to
repeat: a copy is only ever moved to a newer write of its rollup.

  --table NAME             aggregates table (default $AGGREGATES_TABLE, else ${TABLES.aggregates.localName})
  --registry-table NAME    where the regions come from (default $REGISTRY_TABLE, else ${TABLES.registry.localName})
  --regions a,b            these regions instead of the registry's
${LOCAL_USAGE}`;

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        ...LOCAL_OPTION,
        table: { type: 'string' },
        'registry-table': { type: 'string' },
        regions: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.error(USAGE);
    process.exit(0);
  }
  if (values.local) pointAtLocalStack();
  const client = new DynamoDBClient({});
  const table =
    values.table ?? process.env[TABLES.aggregates.envVar] ?? TABLES.aggregates.localName;
  const regions =
    values.regions === undefined
      ? await registeredRegions(
          client,
          values['registry-table'] ??
            process.env[TABLES.registry.envVar] ??
            TABLES.registry.localName,
        )
      : values.regions.split(',').filter((r) => r !== '');
  const report = await backfillRollupTotals(client, table, regions);
  client.destroy();
  console.log(
    `${report.rollups} day rollup items in ${table} (organisation and ${regions.length} regions): ${report.copied} totals copies written, the rest already current`,
  );
}

runTool(main);
