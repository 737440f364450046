import { dynamodb } from '#adapters';
import { loadOpsApiConfig } from './config.js';
import { createOpsApiHandler } from './create-handler.js';
import { DynamoDbDeadLetterReader } from './dead-letter-reader.js';

const config = loadOpsApiConfig();

/** API Gateway HTTP API (payload v2) handler of the `/v1/ops/*` routes. */
export const handler = createOpsApiHandler(
  new DynamoDbDeadLetterReader(dynamodb, config.deadLettersTable),
);
