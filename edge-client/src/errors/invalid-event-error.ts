import type { ContractIssue } from '../contract/index.js';
import { EdgeClientError } from './edge-client-error.js';

/** An event broke the telemetry contract; nothing of it was stored or sent. */
export class InvalidEventError extends EdgeClientError {
  constructor(
    readonly issues: readonly ContractIssue[],
    readonly index?: number,
  ) {
    super(
      `invalid telemetry event${index === undefined ? '' : ` at index ${index}`}: ${issues
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}`,
    );
    this.name = 'InvalidEventError';
  }

  /** The paths of the offending fields, e.g. `["confidence"]`. */
  get fields(): string[] {
    return this.issues.map((i) => i.path);
  }
}
