import { resolve } from 'node:path';
import { Claims } from '#impact-api';
import { parseCommandLine } from '#utils';
import { openDevIssuer } from './dev-issuer.js';

const USAGE = `npm run token -- --role leadership|region_manager|store_manager|automation|operator [options]

Prints a bearer token from the embedded stack's dev issuer (key in <data-dir>/dev-issuer/).
An operator token reads the ops routes (/v1/ops/*, the dead-letter MCP tools) and no figures.

  --stores a,b     stores a store manager may read
  --regions x,y    regions a region manager may read
  --device ID      an automation's registered agent device, which its reports are sent as
                   (required with --role automation)
  --subject ID     token subject (default local-<role>)
  --ttl SECONDS    lifetime (default 28800 = 8 h)
  --data-dir DIR   local data folder (default .data, or LOCAL_DATA_DIR)`;

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        role: { type: 'string' },
        stores: { type: 'string' },
        regions: { type: 'string' },
        device: { type: 'string' },
        subject: { type: 'string' },
        ttl: { type: 'string', default: '28800' },
        'data-dir': { type: 'string', default: process.env.LOCAL_DATA_DIR ?? '.data' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help || values.role === undefined) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const claims = {
    sub: values.subject ?? `local-${values.role}`,
    'custom:role': values.role,
    ...(values.stores !== undefined && { 'custom:stores': values.stores }),
    ...(values.regions !== undefined && { 'custom:regions': values.regions }),
    ...(values.device !== undefined && { 'custom:device': values.device }),
  };
  const checked = Claims.safeParse(claims);
  if (!checked.success) {
    throw new Error(
      checked.error.issues.map((i) => `${i.path.join('.') || 'claims'}: ${i.message}`).join('; '),
    );
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new Error('--ttl must be a positive number of seconds');
  const issuer = await openDevIssuer(resolve(values['data-dir']));
  console.log(await issuer.sign(claims, ttl));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
