import { dynamodb } from '#adapters';
import { loadImpactApiConfig } from './config.js';
import { createImpactApiHandler } from './create-handler.js';
import { DynamoDbImpactReader } from './impact-reader.js';

const config = loadImpactApiConfig();

/** API Gateway HTTP API (payload v2) handler. */
export const handler = createImpactApiHandler(
  new DynamoDbImpactReader(dynamodb, config.aggregatesTable, config.registryTable),
  config.currency,
  undefined,
  config.valuation,
);
