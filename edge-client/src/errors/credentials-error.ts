import { EdgeClientError } from './edge-client-error.js';

/** The IoT credentials provider refused or could not be reached; the spool keeps the events. */
export class CredentialsError extends EdgeClientError {
  constructor(
    message: string,
    readonly statusCode?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}
