import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { putRegistryEntries } from '#adapters';
import { TABLES } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { readFleetFile } from './registry-file.js';

const USAGE = `npm run register -- --file fleet.json [--table NAME]

Adds or replaces device-registry entries: stores (region, time zone) and devices (panel PCs
bound to a store, automation agents bound to a team). The processor dead-letters events from
devices that are not registered, or that claim a store or team they are not bound to.

  --file FILE    JSON: { "stores": [{ "storeId", "region", "timeZone", "test"? }],
                         "devices": [{ "deviceId", "kind": "panel", "storeId", "keys"? } |
                                     { "deviceId", "kind": "gateway", "storeId", "keys"? } |
                                     { "deviceId", "kind": "agent", "teamId", "keys"? }] }
                 test: true marks a test store, counted in its own store days and in no
                   region or organisation figure (npm run smoke registers one)
                 keys: the device's record-signing keys (Ed25519), each
                   { "keyId", "validFrom", "validUntil"?, and one of "publicKeyFile" (PEM),
                     "certificateFile" (PEM), "publicKey" (32 bytes, base64url) };
                   files are read relative to the fleet file
  --table NAME   registry table (default $REGISTRY_TABLE, else the local ${TABLES.registry.localName})

Uses the AWS SDK's usual credentials and region; AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000
points it at the embedded stack.`;

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
  const fleet = readFleetFile(values.file);
  const table = values.table ?? process.env[TABLES.registry.envVar] ?? TABLES.registry.localName;
  const client = new DynamoDBClient({});
  await putRegistryEntries(client, table, fleet);
  client.destroy();
  console.log(
    `registered ${fleet.stores.length} stores and ${fleet.devices.length} devices in ${table}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
