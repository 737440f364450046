/**
 * The arithmetic of `npm run bench:fleet`, kept pure so it is unit-tested: what a Kinesis record
 * is billed, the percentiles, freshness from the accepted and visible curves, and the check of
 * the API's totals against the simulator's ground truth.
 */
import { billedKb } from '#edge-client';
import type { GroundTruth } from '#simulator';

/** A provisioned-mode PUT payload unit: each record rounded up to 25 KB. */
export const PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;
/** Firehose bills each record it ingests rounded up to the next 5 KB. */
export const FIREHOSE_RECORD_BYTES = 5 * 1024;

/** What one Kinesis record costs on each meter. */
export interface RecordBilling {
  /** On-demand ingest: the record (data and partition key) rounded up to 1 KB. */
  readonly kinesisKb: number;
  /** Provisioned: PUT payload units of 25 KB. */
  readonly putPayloadUnits: number;
  /** Firehose ingest: the record's data rounded up to 5 KB. */
  readonly firehoseBytes: number;
}

export function recordBilling(record: {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}): RecordBilling {
  const bytes = record.data.byteLength + Buffer.byteLength(record.partitionKey);
  return {
    kinesisKb: billedKb(record),
    putPayloadUnits: Math.max(1, Math.ceil(bytes / PUT_PAYLOAD_UNIT_BYTES)),
    firehoseBytes:
      Math.max(1, Math.ceil(record.data.byteLength / FIREHOSE_RECORD_BYTES)) *
      FIREHOSE_RECORD_BYTES,
  };
}

/** Nearest-rank percentile (p in 0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** One read of the API: when it answered, and how many events its totals held. */
export interface VisibilityProbe {
  readonly at: number;
  readonly visible: number;
}

/**
 * Freshness of each accepted event: the time from the k-th acceptance at the edge to the
 * first probe whose totals hold at least k events (the horizontal distance between the
 * accepted and the visible curves). Exact when events become visible in the order they were
 * accepted; otherwise a quantile of it is still the delay by which the visible count trails
 * the accepted one. `acceptedAt` and `probes` ascending; events never seen are left out and
 * counted in `unseen`.
 */
export function freshness(
  acceptedAt: readonly number[],
  probes: readonly VisibilityProbe[],
): { delaysMs: number[]; unseen: number } {
  const delaysMs: number[] = [];
  let p = 0;
  for (let k = 0; k < acceptedAt.length; k++) {
    // The first probe that shows the (k+1)-th event and was taken after it was accepted.
    const at = acceptedAt[k] as number;
    while (
      p < probes.length &&
      ((probes[p] as VisibilityProbe).visible < k + 1 || (probes[p] as VisibilityProbe).at < at)
    )
      p++;
    if (p === probes.length) return { delaysMs, unseen: acceptedAt.length - k };
    delaysMs.push((probes[p] as VisibilityProbe).at - at);
  }
  return { delaysMs, unseen: 0 };
}

/** The totals the impact API answers with (the fields the truth check reads). */
export interface ApiTotals {
  readonly shrink: Readonly<Record<string, unknown>>;
  readonly hoursSaved: Readonly<Record<string, unknown>> | null;
}

/** Events the API's totals hold: every event adds to exactly one of these three counts. */
export function visibleEvents(api: ApiTotals): number {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return n(api.shrink.detections) + n(api.shrink.outcomes) + n(api.hoursSaved?.incidents);
}

/**
 * The API's totals against the ground truth: events lost and counted twice, and whether every
 * number (counts, by-category and by-kind breakdowns, cents, minutes) is equal.
 */
export function compareToTruth(
  truth: GroundTruth,
  api: ApiTotals,
): { expected: number; visible: number; lost: number; doubleCounted: number; exact: boolean } {
  const expected = truth.shrink.detections + truth.shrink.outcomes + truth.hours.incidents;
  const visible = visibleEvents(api);
  const same = (want: object, got: Readonly<Record<string, unknown>> | null): boolean =>
    Object.entries(want).every(([k, v]) =>
      typeof v === 'number'
        ? (got?.[k] ?? 0) === v
        : Object.entries(v as Record<string, number>).every(
            ([kk, vv]) => ((got?.[k] as Record<string, number> | undefined)?.[kk] ?? 0) === vv,
          ),
    );
  return {
    expected,
    visible,
    lost: Math.max(0, expected - visible),
    doubleCounted: Math.max(0, visible - expected),
    exact: same(truth.shrink, api.shrink) && same(truth.hours, api.hoursSaved),
  };
}

/**
 * Events per record and billed bytes per event over the records that arrived while the intake
 * ran (`from`..`to`, epoch ms).
 */
export function steadyKinesis(
  log: readonly (readonly [number, number, number, number])[],
  from: number,
  to: number,
) {
  const inside = log.filter(([at]) => at >= from && at <= to);
  const events = total(inside.map(([, users]) => users));
  return {
    steadyRecordShare: round(inside.length / Math.max(1, log.length), 3),
    steadyEventsPerRecord: round(events / Math.max(1, inside.length), 3),
    steadyKinesisKbPerEvent: round(total(inside.map(([, , kb]) => kb)) / Math.max(1, events), 4),
    steadyFirehoseBytesPerEvent: round(
      total(inside.map(([, , , bytes]) => bytes)) / Math.max(1, events),
      0,
    ),
  };
}

const total = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

/** What fleet health wrote over part of a run, and what the processor was handed meanwhile. */
export interface FleetHealthWindow {
  /** Fleet health items written, and their write units. */
  readonly healthWrites: number;
  readonly healthUnits: number;
  /** The coverage summaries' write units (one summary beside each item written). */
  readonly coverageUnits: number;
  /** Every write unit the processor spent in the window, fleet health's included. */
  readonly allUnits: number;
  /** Events that count, and device statuses, handed to the processor in the window. */
  readonly events: number;
  readonly statuses: number;
}

/** The fleet's shape, which the steady-state arithmetic scales by. */
export interface FleetHealthShape {
  /** Statuses a store sends a minute (its devices over the status interval). */
  readonly statusesPerStorePerMinute: number;
  /** Events that count a store sends a minute. */
  readonly eventsPerStorePerMinute: number;
  /**
   * Writes of a store's item a minute when nothing about its devices changes: the refresh
   * (REFRESH_AFTER_MS) and the writes that keep every live device's entry fresh enough not to
   * read as silent (RESEEN_AFTER_MS), replayed through the processor's merge
   * (fleet-health-quiet.ts).
   */
  readonly quietWritesPerStorePerMinute: number;
  /**
   * What one write of a store's item and its coverage summary costs once every device is in
   * it: each item's size rounded up to the KB, as the run left them.
   */
  readonly unitsPerWrite: number;
}

/**
 * Fleet health's write units per event and its share of the processor's write units:
 *
 * - `run`: over the whole run. A run of minutes starts with every store's item new and then
 *   written again as each of its devices is first heard (a new device is a material change),
 *   so this overstates what a fleet that has been running pays.
 * - `afterWarmUp`: over the batches after the warm-up (every device heard at least once): the
 *   writes a status causes once the items are whole. A window that ends within the refresh
 *   interval of the warm-up holds no refresh writes, only material changes.
 * - `steady`: arithmetic at the fleet's shape, each write at `unitsPerWrite`, over the events
 *   a store sends meanwhile, its share of the run's other write units per event plus its own.
 *   `floor`: the quiet writes (`quietWritesPerStorePerMinute`) and nothing else (a fleet in
 *   which nothing changes). `bound` (from `afterWarmUp`): the material changes it measured
 *   (writes per status x statuses a store sends a minute) plus the quiet writes, an upper
 *   bound since a material write puts the others off.
 */
export function fleetHealthCost(
  run: FleetHealthWindow,
  afterWarmUp: FleetHealthWindow | undefined,
  shape: FleetHealthShape,
) {
  const of = (w: FleetHealthWindow) => {
    const units = w.healthUnits + w.coverageUnits;
    return {
      writeUnitsPerEvent: round(units / Math.max(1, w.events), 4),
      share: round(units / Math.max(1, w.allUnits), 4),
      writesPerStatus: round(w.healthWrites / Math.max(1, w.statuses), 4),
      unitsPerWrite: round(units / Math.max(1, w.healthWrites), 2),
    };
  };
  const otherPerEvent =
    (run.allUnits - run.healthUnits - run.coverageUnits) / Math.max(1, run.events);
  const at = (writesPerStorePerMinute: number) => {
    const perEvent =
      (writesPerStorePerMinute * shape.unitsPerWrite) / shape.eventsPerStorePerMinute;
    return {
      writesPerStorePerMinute: round(writesPerStorePerMinute, 3),
      writeUnitsPerEvent: round(perEvent, 4),
      share: round(perEvent / (otherPerEvent + perEvent), 4),
    };
  };
  const warm = afterWarmUp !== undefined && afterWarmUp.statuses > 0 ? afterWarmUp : undefined;
  return {
    run: of(run),
    afterWarmUp: warm === undefined ? undefined : of(warm),
    steady: {
      unitsPerWrite: round(shape.unitsPerWrite, 2),
      floor: at(shape.quietWritesPerStorePerMinute),
      bound:
        warm === undefined
          ? undefined
          : at(
              (warm.healthWrites / warm.statuses) * shape.statusesPerStorePerMinute +
                shape.quietWritesPerStorePerMinute,
            ),
    },
  };
}
