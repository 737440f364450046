import { sleep } from '../../edge-client/src/index.js';

/** Full-jitter exponential backoff delay for attempt `n` (1-based). */
export function backoffMs(attempt: number, baseMs = 25, capMs = 2_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** Thrown when a batch call still has unprocessed items after every retry. */
export class UnprocessedItemsError extends Error {
  constructor(
    readonly operation: string,
    readonly remaining: number,
  ) {
    super(`${operation}: ${remaining} items still unprocessed after retries`);
    this.name = 'UnprocessedItemsError';
  }
}

/**
 * Repeats a batch call with what it left unprocessed (BatchGetItem's UnprocessedKeys,
 * BatchWriteItem's UnprocessedItems) until nothing is left; never drops the leftovers.
 */
export async function drainUnprocessed<T>(
  operation: string,
  first: T,
  call: (request: T) => Promise<T | undefined>,
  size: (request: T) => number,
  maxAttempts = 10,
): Promise<void> {
  let request: T | undefined = first;
  for (let attempt = 1; request !== undefined && size(request) > 0; attempt++) {
    if (attempt > maxAttempts) throw new UnprocessedItemsError(operation, size(request));
    if (attempt > 1) await sleep(backoffMs(attempt));
    request = await call(request);
  }
}
