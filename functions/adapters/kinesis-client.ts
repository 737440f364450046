import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * A Kinesis client for the functions that read the stream back (the ops API's replay and
 * status). HTTP/1.1 (`NodeHttpHandler`): the SDK's Kinesis client would otherwise speak HTTP/2,
 * which kinesalite does not. The endpoint comes from the SDK's own configuration
 * (`AWS_ENDPOINT_URL_KINESIS` on the embedded stack); reads throttled by the shard's 5 calls a
 * second are retried by the SDK's standard strategy.
 */
export function createStreamReaderClient(): KinesisClient {
  return new KinesisClient({
    maxAttempts: 6,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 10_000 }),
  });
}
