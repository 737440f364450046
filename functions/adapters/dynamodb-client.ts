import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The functions' DynamoDB client, built once per execution environment. The endpoint comes
 * from the SDK's own configuration (`AWS_ENDPOINT_URL_DYNAMODB` on the embedded stack), so
 * there is no local-only code path. Throttling is retried by the SDK's standard strategy.
 */
export const dynamodb = new DynamoDBClient({ maxAttempts: 6 });
