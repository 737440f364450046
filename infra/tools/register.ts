import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { putRegistryEntries } from '#adapters';
import { DeviceInfo, StoreInfo } from '#domain/registry-types';
import { TABLES } from '#shared/resources';
import { parseCommandLine } from '#utils';

const USAGE = `npm run register -- --file fleet.json [--table NAME]

Adds or replaces device-registry entries: stores (region, time zone) and devices (panel PCs
bound to a store, automation agents bound to a team). The processor dead-letters events from
devices that are not registered, or that claim a store or team they are not bound to.

  --file FILE    JSON: { "stores": [{ "storeId", "region", "timeZone" }],
                         "devices": [{ "deviceId", "kind": "panel", "storeId" } |
                                     { "deviceId", "kind": "agent", "teamId" }] }
  --table NAME   registry table (default $REGISTRY_TABLE, else the local ${TABLES.registry.localName})

Uses the AWS SDK's usual credentials and region; AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000
points it at the embedded stack.`;

const FleetFile = z
  .object({ stores: z.array(StoreInfo).default([]), devices: z.array(DeviceInfo).default([]) })
  .strict();

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        file: { type: 'string' },
        table: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help || values.file === undefined) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const parsed = FleetFile.safeParse(JSON.parse(readFileSync(values.file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${values.file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  }
  const table = values.table ?? process.env[TABLES.registry.envVar] ?? TABLES.registry.localName;
  const client = new DynamoDBClient({});
  await putRegistryEntries(client, table, parsed.data);
  client.destroy();
  console.log(
    `registered ${parsed.data.stores.length} stores and ${parsed.data.devices.length} devices in ${table}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
