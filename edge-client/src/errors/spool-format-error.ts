import { SpoolStateError } from './spool-state-error.js';

/**
 * The spool was written in a newer format than this edge client reads (a newer release ran
 * on this PC, then an older one was installed). Nothing in the folder was touched; the fix is
 * to run that release (or a later one) again.
 */
export class SpoolFormatError extends SpoolStateError {
  constructor(
    readonly dir: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `spool ${dir} is format ${found}, and this edge-client reads formats up to ${supported}: a newer edge-client release wrote it. Upgrade the daemon to that release or later (the spool is left as it is; a downgrade cannot read it)`,
    );
    this.name = 'SpoolFormatError';
  }
}
