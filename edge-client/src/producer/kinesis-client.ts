import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * A Kinesis client over HTTP/1.1 keep-alive. PutRecords needs nothing newer, and the local
 * emulator (kinesalite) only speaks HTTP/1.1. The endpoint follows the SDK's own settings
 * (`AWS_ENDPOINT_URL_KINESIS` on the embedded stack). The SDK's own retries are off: the
 * producer retries per record, which the SDK cannot do.
 */
export function createKinesisClient(config: KinesisClientConfig = {}): KinesisClient {
  return new KinesisClient({
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 10_000 }),
    ...config,
  });
}
