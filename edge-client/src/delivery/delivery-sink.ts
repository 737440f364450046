import type { SpoolEntry } from '../spool/disk-spool.js';

/**
 * Where an EdgeClient delivers what its spool holds: Kinesis (KinesisSink) or, for a lane PC
 * behind a store gateway, the gateway (GatewaySink). The client keeps the one spool, the one
 * linger and the one retry loop with backoff; a sink only says how entries become requests
 * and what one request left undelivered. An entry is released from the spool only once every
 * unit that carries it is acknowledged by the sink's destination.
 */
export interface DeliverySink<U> {
  /** Splits entries (in spool order) into requests, each a list of units sent together. */
  plan(entries: readonly SpoolEntry[]): Promise<U[][]>;
  /**
   * Sends one request; resolves with the units that must be sent again (nothing of them is
   * known to be held downstream). Rejects only when `signal` aborts.
   */
  sendOnce(units: U[], signal: AbortSignal): Promise<U[]>;
  /**
   * Whether what the spool holds is best sent now rather than after more lingering (a
   * size-aware flush); a sink without an opinion lingers the full time.
   */
  readyToCut?(entries: readonly SpoolEntry[], lingerLeftMs: number): boolean;
  /** The sink's own counters (Kinesis records put and billed KB; zero for a gateway). */
  counters(): { readonly recordsPut: number; readonly billedKb: number };
}
