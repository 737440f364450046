import { backoffDelay, sleep } from '#utils';

/** Retry delays of a batch call: full jitter below 100 ms, 200 ms, ... up to 2 s. */
const RETRY_BACKOFF = { baseMs: 100, capMs: 2_000 };

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
    if (attempt > 1) await sleep(backoffDelay(attempt - 1, RETRY_BACKOFF));
    request = await call(request);
  }
}
