import { EdgeClientError } from './edge-client-error.js';

/** The spool's own bookkeeping (cursor file) cannot be read; the spool refuses to guess. */
export class SpoolStateError extends EdgeClientError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpoolStateError';
  }
}
