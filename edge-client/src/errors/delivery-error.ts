import { EdgeClientError } from './edge-client-error.js';

/** Some records were still not accepted by Kinesis when the retry budget ran out. */
export class DeliveryError extends EdgeClientError {
  constructor(
    readonly undelivered: number,
    readonly lastErrorCode: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `${undelivered} records not delivered after retries (last error: ${lastErrorCode ?? 'unknown'})`,
      options,
    );
    this.name = 'DeliveryError';
  }
}
