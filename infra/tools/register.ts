import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDbRegistry,
  dropRegisteredCoverage,
  hasRegisteredCoverage,
  moveStoreCoverage,
  putRegisteredCoverage,
  putRegistryEntries,
  refreshProfiles,
} from '#adapters';
import { TABLES } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { readFleetFile } from './registry-file.js';
import { LOCAL_OPTION, LOCAL_USAGE, pointAtLocalStack, runTool } from './run-tool.js';

const USAGE = `npm run register -- --file fleet.json [--table NAME]

Adds or replaces device-registry entries: stores (region, time zone) and devices (panel PCs
bound to a store, automation agents bound to a team). The processor dead-letters events from
devices that are not registered, or that claim a store or team they are not bound to.

  --file FILE    JSON: { "stores": [{ "storeId", "region", "timeZone", "lanes"?, "openHours"?,
                                     "test"? }],
                         "devices": [{ "deviceId", "kind": "panel", "storeId", "keys"? } |
                                     { "deviceId", "kind": "gateway", "storeId", "keys"? } |
                                     { "deviceId", "kind": "agent", "teamId", "keys"? }] }
                 lanes: how many lanes the store has, the denominator of its coverage
                   ("38 of 40 lanes reporting"); a store with lanes counts as every lane
                   missing until its daemons report
                 openHours: { "opens": "08:00", "closes": "22:00" } in the store's time
                   zone, every day (closes before opens: overnight); silences outside them
                   are no gap and raise no alarm; absent: open around the clock
                 test: true marks a test store, counted in its own store days and in no
                   region or organisation figure (npm run smoke registers one)
                 keys: the device's record-signing keys (Ed25519), each
                   { "keyId", "validFrom", "validUntil"?, and one of "publicKeyFile" (PEM),
                     "certificateFile" (PEM), "publicKey" (32 bytes, base64url) };
                   files are read relative to the fleet file
  --table NAME   registry table (default $REGISTRY_TABLE, else the local ${TABLES.registry.localName})
  --aggregates-table NAME
                 where the coverage of stores registered with lanes goes (default
                 $AGGREGATES_TABLE; else the local ${TABLES.aggregates.localName} when the registry
                 is the local one; else none is written, and the command says so); a store
                 registered again in another region takes its fleet health and coverage there

Uses the AWS SDK's usual credentials and region; AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000
points it at the embedded stack.
${LOCAL_USAGE}`;

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        ...LOCAL_OPTION,
        file: { type: 'string' },
        table: { type: 'string' },
        'aggregates-table': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help || values.file === undefined) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const fleet = readFleetFile(values.file);
  const table = values.table ?? process.env[TABLES.registry.envVar] ?? TABLES.registry.localName;
  if (values.local) pointAtLocalStack();
  const client = new DynamoDBClient({});
  // Where each store was registered before: a store registered in another region takes its
  // coverage with it.
  const before = await new DynamoDbRegistry(client, table).load(
    [],
    fleet.stores.map((s) => s.storeId),
  );
  const moves = fleet.stores.flatMap((s) => {
    const from = before.stores.get(s.storeId)?.region;
    return from === undefined || from === s.region
      ? []
      : [{ storeId: s.storeId, from, to: s.region }];
  });
  await putRegistryEntries(client, table, fleet);
  console.log(
    `registered ${fleet.stores.length} stores and ${fleet.devices.length} devices in ${table}`,
  );
  const aggregates =
    values['aggregates-table'] ??
    process.env[TABLES.aggregates.envVar] ??
    (table === TABLES.registry.localName ? TABLES.aggregates.localName : undefined);
  if (aggregates === undefined) {
    console.log(
      'coverage of stores with lanes not written: name the aggregates table (--aggregates-table)',
    );
  } else {
    for (const move of moves) await moveStoreCoverage(client, aggregates, move);
    if (moves.length > 0) {
      console.log(`${moves.length} stores moved to another region, their coverage with them`);
    }
    // A store registered again as a test store, or without its lanes: its registration's
    // summary would count it in every scope's coverage.
    await dropRegisteredCoverage(
      client,
      aggregates,
      fleet.stores.filter((s) => {
        const was = before.stores.get(s.storeId);
        return was !== undefined && hasRegisteredCoverage(was) && !hasRegisteredCoverage(s);
      }),
    );
    const covered = await putRegisteredCoverage(client, aggregates, fleet.stores, Date.now());
    console.log(`${covered} stores with their lanes in the coverage of ${aggregates}`);
    // What their daemons last wrote, with the profile registered now: a silent store's
    // corrected open hours count at once.
    const refreshed = await refreshProfiles(client, aggregates, fleet.stores);
    if (refreshed > 0)
      console.log(`${refreshed} stores' coverage now has their registered profile`);
  }
  client.destroy();
}

runTool(main);
