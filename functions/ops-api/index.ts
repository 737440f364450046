import type { KinesisClient } from '@aws-sdk/client-kinesis';

/**
 * The ops API's face (`#ops-api`) for the local stack: its deployed handler over a Kinesis
 * client the stack gives (kinesalite speaks HTTP/1.1 only), loaded on demand (it reads its
 * configuration when it is built). Its routes are in the HTTP API's one route list
 * (`#impact-api`'s `ROUTES`, `function: 'ops-api'`); its schemas in `#api-schemas`.
 */
export const loadOpsApiHandler = async (kinesis: KinesisClient) =>
  (await import('./deployed.js')).deployedOpsApiHandler(kinesis);
