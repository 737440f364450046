/** Base class of the processor's own errors. */
export class ProcessorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProcessorError';
  }
}

/** A home item kept changing under us: another invocation is writing it; retry the records. */
export class WriteContentionError extends ProcessorError {
  constructor(readonly item: string) {
    super(`gave up after repeated write conflicts on ${item}`);
    this.name = 'WriteContentionError';
  }
}

/**
 * A rollup is more than one version behind its home item. The commit protocol never lets that
 * happen (a home is only written after its rollups caught up); seeing it means a bug or a
 * hand edit, so the records are retried and, in the end, land on the on-failure destination.
 */
export class RollupGapError extends ProcessorError {
  constructor(
    readonly rollup: string,
    readonly rollupVersion: number,
    readonly homeVersion: number,
  ) {
    super(`rollup ${rollup} is at version ${rollupVersion}, its home at ${homeVersion}`);
    this.name = 'RollupGapError';
  }
}

/**
 * A home item is gone although its summary has absorbed a version of it: DynamoDB's time to
 * live deleted it (home-expiry.ts), or someone did by hand. Recreating it would count its
 * events again from nothing, and the summary would take the new home's first versions for
 * ones it already holds, so the events are dead-lettered as too late instead.
 */
export class HomeExpiredError extends ProcessorError {
  constructor(
    readonly item: string,
    readonly absorbedVersion: number,
  ) {
    super(
      `home ${item} has expired (its summary absorbed version ${absorbedVersion}, the item is gone)`,
    );
    this.name = 'HomeExpiredError';
  }
}
