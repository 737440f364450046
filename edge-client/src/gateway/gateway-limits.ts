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
