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
