import { EdgeClientError } from './edge-client-error.js';

/** The spool is at its configured size bound: the event was not accepted. Retry later. */
export class SpoolFullError extends EdgeClientError {
  constructor(
    readonly maxBytes: number,
    readonly usedBytes: number,
    readonly requestedBytes: number,
  ) {
    super(
      `spool full: ${usedBytes} of ${maxBytes} bytes used, ${requestedBytes} more requested; the event was not accepted`,
    );
    this.name = 'SpoolFullError';
  }
}
