import * as z from 'zod';

/**
 * Telemetry contract v1: the one definition of what a panel PC or an on-call agent may put on
 * the stream. Every schema is strict, so an unknown key (an `image`, a `faceEmbedding`, a
 * free-text note about a person) is a validation error rather than a silently kept field:
 * the strictness is the privacy guard as much as the type check.
 */

/** Crockford base-32 ULID; its first ten characters encode the millisecond it was minted. */
export const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a 26-character ULID');

/**
 * An opaque identifier (store, lane, device, team, incident, class). Restricted to a short
 * token alphabet so that no identifier can carry free text or a person's name with spaces.
 */
export const Identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be an identifier ([A-Za-z0-9._:-], max 64)');

/** An ISO-8601 instant in UTC (`Z` suffix), millisecond precision at most. */
export const UtcInstant = z.iso.datetime({ precision: undefined, offset: false });

/** Money is integer cents; the cap rejects absurd values before they reach an aggregate. */
export const Cents = z.number().int().min(0).max(100_000_000);

export const DETECTION_CATEGORIES = [
  'missed_scan',
  'ticket_switch',
  'walkout',
  'shelf_sweep',
  'basket_under',
  'other',
] as const;
export const DetectionCategory = z.enum(DETECTION_CATEGORIES);
export type DetectionCategory = z.infer<typeof DetectionCategory>;

export const OUTCOMES = ['recovered', 'confirmed_loss', 'false_positive'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const RESOLUTIONS = ['automated', 'assisted', 'manual'] as const;
export const Resolution = z.enum(RESOLUTIONS);
export type Resolution = z.infer<typeof Resolution>;

const common = {
  schemaVersion: z.literal(1),
  eventId: Ulid,
  deviceId: Identifier,
  occurredAt: UtcInstant,
  /** Per-sender, strictly increasing; the processor's duplicate filter keys on (deviceId, seq). */
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
};

/** The vision model flagged a likely loss event. */
export const DetectionEvent = z
  .object({
    ...common,
    type: z.literal('detection'),
    storeId: Identifier,
    /** A ULID minted when the model flagged the event: its time decides the store day. */
    detectionId: Ulid,
    laneId: Identifier,
    category: DetectionCategory,
    confidence: z.number().min(0).max(1),
    estimatedLossCents: Cents,
    model: z.object({ name: Identifier, version: Identifier }).strict(),
  })
  .strict();
export type DetectionEvent = z.infer<typeof DetectionEvent>;

/** An associate resolved a detection's alert. */
export const DetectionOutcomeEvent = z
  .object({
    ...common,
    type: z.literal('detection_outcome'),
    storeId: Identifier,
    detectionId: Ulid,
    outcome: Outcome,
    recoveredCents: Cents,
  })
  .strict()
  .refine((e) => e.outcome !== 'false_positive' || e.recoveredCents === 0, {
    message: 'a false_positive outcome cannot recover money',
    path: ['recoveredCents'],
  });
export type DetectionOutcomeEvent = z.infer<typeof DetectionOutcomeEvent>;

/** An on-call incident closed; automation's share of the work is what hours saved measures. */
const incident = {
  type: z.literal('oncall_incident'),
  incidentId: Identifier,
  teamId: Identifier,
  storeId: Identifier.optional(),
  incidentClass: Identifier,
  openedAt: UtcInstant,
  resolvedAt: UtcInstant,
  resolution: Resolution,
  engineerMinutes: z.number().int().min(0).max(10_080),
};
const resolvedAfterOpened = (e: { openedAt: string; resolvedAt: string }) =>
  Date.parse(e.resolvedAt) >= Date.parse(e.openedAt);
const resolvedAfterOpenedIssue = {
  message: 'resolvedAt must not be before openedAt',
  path: ['resolvedAt'],
};
export const OncallIncidentEvent = z
  .object({ ...common, ...incident })
  .strict()
  .refine(resolvedAfterOpened, resolvedAfterOpenedIssue);
/**
 * The fields that identify an event's sender and order its events: the sender (the edge
 * client) assigns them, never whoever asks it to send. `deviceId` is the sending device (the
 * credential's), `seq` its own counter; a caller choosing either could pose as another device
 * or collide with, and so silently drop, another event.
 */
export const SENDER_FIELDS = ['schemaVersion', 'eventId', 'deviceId', 'seq'] as const;

const isSenderField = (key: string) => (SENDER_FIELDS as readonly string[]).includes(key);
const refusedKeys = (keys: readonly string[]) =>
  [
    keys.some(isSenderField) &&
      `${keys.filter(isSenderField).join(', ')}: assigned by the sender, never by the reporter (the device is the caller's own)`,
    keys.some((k) => !isSenderField(k)) &&
      `${keys.filter((k) => !isSenderField(k)).join(', ')}: not a field of an incident report`,
  ]
    .filter((line) => line !== false)
    .join('; ');

/**
 * An incident as an on-call automation reports it: the incident's own fields and rules, none
 * of the sender's ({@link SENDER_FIELDS}). Strict, and a sender field passed anyway is refused
 * by name, so a reporter cannot choose the device it speaks as or a `seq`.
 */
export const OncallIncidentReport = z
  .strictObject(
    { occurredAt: common.occurredAt, ...incident },
    {
      error: (issue) => (issue.code === 'unrecognized_keys' ? refusedKeys(issue.keys) : undefined),
    },
  )
  .refine(resolvedAfterOpened, resolvedAfterOpenedIssue);
export type OncallIncidentReport = z.infer<typeof OncallIncidentReport>;
export type OncallIncidentEvent = z.infer<typeof OncallIncidentEvent>;

/** Most model versions one status names: a panel PC runs one or two models. */
export const MAX_STATUS_MODELS = 8;

/**
 * A panel PC's or a store gateway's own state, sent by its edge daemon every few minutes: how
 * much it holds unsent and since when, its last delivery error, its version and the models it
 * sent detections for. It carries no counts of anything on the floor: the pipeline keeps it
 * per store for fleet health and the completeness of the figures, never in them.
 */
export const DeviceStatusEvent = z
  .object({
    ...common,
    type: z.literal('device_status'),
    storeId: Identifier,
    spool: z
      .object({
        /** Bytes of events accepted and not yet acknowledged (by the stream or the gateway). */
        bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        /** Age of the oldest of them, when the status was made (0 when none). */
        oldestUnsentAgeSeconds: z
          .number()
          .int()
          .min(0)
          .max(10 * 365 * 86_400),
      })
      .strict(),
    /** The last delivery error since the previous status: a code, never a message. */
    lastError: z.object({ code: Identifier, at: UtcInstant }).strict().optional(),
    daemonVersion: Identifier,
    models: z
      .array(z.object({ name: Identifier, version: Identifier }).strict())
      .max(MAX_STATUS_MODELS),
  })
  .strict();
export type DeviceStatusEvent = z.infer<typeof DeviceStatusEvent>;

/** Any v1 telemetry event, discriminated by `type`. */
export const TelemetryEvent = z.discriminatedUnion('type', [
  DetectionEvent,
  DetectionOutcomeEvent,
  OncallIncidentEvent,
  DeviceStatusEvent,
]);
export type TelemetryEvent = z.infer<typeof TelemetryEvent>;
export type TelemetryEventType = TelemetryEvent['type'];

/** Largest accepted serialized event; real events are ~300 bytes. */
export const MAX_EVENT_BYTES = 4096;
