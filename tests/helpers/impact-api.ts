import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { Valuation } from '../../functions/impact-api/config.js';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import { DynamoDbImpactReader } from '../../functions/impact-api/impact-reader.js';
import { TABLES } from '../../functions/shared/resources.js';
import { apiEvent, LEADERSHIP } from './api-events.js';
import { silentLogger } from './in-memory-aggregates.js';

/**
 * One GET of the impact API's handler over the emulators' tables (a leadership token unless
 * `claims` says otherwise): its status and its parsed body. A route with path parameters is
 * named by its template (`/v1/stores/{storeId}/lanes`) with `pathParameters`.
 */
export async function askImpactApi(
  dynamodb: DynamoDBClient,
  path: string,
  query: Record<string, string>,
  options: {
    readonly claims?: Record<string, string>;
    readonly aggregatesTable?: string;
    readonly valuation?: Valuation;
    readonly pathParameters?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: ReturnType<typeof JSON.parse> }> {
  const handler = createImpactApiHandler(
    new DynamoDbImpactReader(
      dynamodb,
      options.aggregatesTable ?? TABLES.aggregates.localName,
      TABLES.registry.localName,
    ),
    'USD',
    silentLogger,
    options.valuation,
  );
  const res = await handler(
    apiEvent(`GET ${path}`, {
      path: path.replace(/\{(\w+)\}/g, (_, name: string) => options.pathParameters?.[name] ?? ''),
      query,
      claims: options.claims ?? LEADERSHIP,
      ...(options.pathParameters !== undefined && { pathParameters: options.pathParameters }),
    }),
    { functionName: 'impact-api' } as Context,
  );
  return { status: res.statusCode ?? 0, body: JSON.parse(res.body ?? '{}') };
}
