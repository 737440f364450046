import { KinesisClient } from '@aws-sdk/client-kinesis';
import { deployedOpsApiHandler } from './deployed.js';

/**
 * API Gateway HTTP API (payload v2) handler of the `/v1/ops/*` routes. Reads throttled by a
 * shard's 5 calls a second are retried by the SDK's standard strategy.
 */
export const handler = deployedOpsApiHandler(new KinesisClient({ maxAttempts: 6 }));
