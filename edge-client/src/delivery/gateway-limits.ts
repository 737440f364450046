/**
 * What one lane request to a store gateway may hold. A lane sends about one event every two
 * minutes, so a request of 500 events is a lane's backlog of hours (after a gateway outage),
 * sent in several requests; 1 MiB is far above 500 events of at most a few hundred bytes.
 */
export const GATEWAY_LIMITS = {
  /** Events in one `POST /v1/lane-events`. */
  eventsPerRequest: 500,
  /** Bytes of one request body. */
  bodyBytes: 1024 * 1024,
} as const;

/**
 * A gateway's default linger: how long a store's record may wait for company before it is
 * put (the size-aware flush cuts it earlier at a billed-KB boundary). At the reference pace
 * (40 lanes x 30 events an hour, one event every 3 s) the first KB of a store's record fills
 * in about 36 s; 45 s plus a 60 s batching window plus the processor's few seconds keeps the
 * end-to-end p99 within 120 s (docs/edge.md, "Store gateway").
 */
export const GATEWAY_LINGER_MS = 45_000;
