import type { DeviceStatusEvent, TelemetryEvent } from '#contract';
import type { RegistryView } from './registry-types.js';
import type { Rejection } from './route-event.js';

/**
 * Fleet health: what each edge daemon says of itself (`device_status` events), kept per store
 * in one small item, so that the figures can say how complete they are and operators can see
 * silent lanes, backlogs and bad clocks. Statuses never count in the figures.
 */

export const isStatus = (event: TelemetryEvent): event is DeviceStatusEvent =>
  event.type === 'device_status';

/** A device with no status for this long is silent (its daemon sends one every 5 minutes). */
export const SILENT_AFTER_MS = 20 * 60_000;
/** A store's item is written again at least this often while statuses arrive. */
export const REFRESH_AFTER_MS = 10 * 60_000;
/** Most devices one store's item keeps (the most recently seen). */
export const MAX_DEVICES_PER_STORE = 256;

/** One device's last status, as the store's item keeps it. */
export interface DeviceHealth {
  /** Arrival at the stream of its last status (epoch ms): when the pipeline last heard it. */
  readonly seenAt: number;
  /**
   * How far its clock runs ahead of the stream's (ms, 0 when not ahead): the status's
   * occurredAt minus its arrival. A clock behind cannot be told from the time a status waited
   * in the spool (a PC back from an outage), so only ahead counts, as the processor's
   * clock_skew refusal does.
   */
  readonly clockOffsetMs: number;
  /** Bytes it held unsent. */
  readonly spoolBytes: number;
  readonly oldestUnsentAgeSeconds: number;
  /** Everything it accepted before this instant (epoch ms) had been delivered. */
  readonly deliveredThrough: number;
  readonly lastError?: { readonly code: string; readonly at: string };
  readonly daemonVersion: string;
  /** `name@version` of the models it sent detections for. */
  readonly models: readonly string[];
}

export interface StoreHealth {
  readonly storeId: string;
  readonly region: string;
  readonly devices: Readonly<Record<string, DeviceHealth>>;
  /** When the item was last written (epoch ms). */
  readonly writtenAt: number;
  /** Conditional-write version: 0 for an item never written. */
  readonly version: number;
}

export interface ArrivedStatus {
  readonly event: DeviceStatusEvent;
  /** Epoch ms at which its record reached the stream. */
  readonly arrivedAt: number;
}

export type StatusRouting =
  | { readonly ok: true; readonly storeId: string; readonly region: string }
  | { readonly ok: false; readonly rejection: Rejection };

/** A status is its sender's own, for the store the registry binds it to (a lane or a gateway). */
export function routeStatus(event: DeviceStatusEvent, registry: RegistryView): StatusRouting {
  const device = registry.device(event.deviceId);
  if (device === undefined) {
    return {
      ok: false,
      rejection: { reason: 'unknown_device', detail: `device ${event.deviceId} is not registered` },
    };
  }
  if (device.kind === 'agent' || device.storeId !== event.storeId) {
    return {
      ok: false,
      rejection: {
        reason: 'store_mismatch',
        detail: `device ${event.deviceId} is not bound to store ${event.storeId}`,
      },
    };
  }
  const store = registry.store(event.storeId);
  if (store === undefined) {
    return {
      ok: false,
      rejection: { reason: 'unknown_store', detail: `store ${event.storeId} is not registered` },
    };
  }
  return { ok: true, storeId: event.storeId, region: store.region };
}

const healthOf = (
  { event, arrivedAt }: ArrivedStatus,
  before: DeviceHealth | undefined,
): DeviceHealth => ({
  seenAt: arrivedAt,
  clockOffsetMs: Math.max(0, Date.parse(event.occurredAt) - arrivedAt),
  spoolBytes: event.spool.bytes,
  oldestUnsentAgeSeconds: event.spool.oldestUnsentAgeSeconds,
  // By the stream's clock: the age is a duration the device measured, its clock may be off.
  deliveredThrough: arrivedAt - event.spool.oldestUnsentAgeSeconds * 1000,
  ...(event.lastError !== undefined && { lastError: event.lastError }),
  daemonVersion: event.daemonVersion,
  // A status names the models of the detections since the last one: none, the same as before.
  models:
    event.models.length === 0 && before !== undefined
      ? before.models
      : [...new Set(event.models.map((m) => `${m.name}@${m.version}`))].sort(),
});

/** What an operator would want to know changed: worth a write before the refresh is due. */
function materially(a: DeviceHealth | undefined, b: DeviceHealth): boolean {
  if (a === undefined) return true;
  const backlog = (h: DeviceHealth) =>
    h.spoolBytes === 0
      ? 0
      : h.oldestUnsentAgeSeconds < 300
        ? 1
        : h.oldestUnsentAgeSeconds < 3_600
          ? 2
          : 3;
  const skew = (h: DeviceHealth) => {
    const ms = Math.abs(h.clockOffsetMs);
    return ms < 60_000 ? 0 : ms < 15 * 60_000 ? 1 : 2;
  };
  return (
    backlog(a) !== backlog(b) ||
    skew(a) !== skew(b) ||
    a.lastError?.code !== b.lastError?.code ||
    a.daemonVersion !== b.daemonVersion ||
    a.models.join() !== b.models.join() ||
    // Back from silence.
    b.seenAt - a.seenAt > SILENT_AFTER_MS
  );
}

/**
 * Folds a batch's statuses of one store into its item. A device's entry is replaced only by a
 * status that reached the stream later (never by the device's own clock, which may be wrong).
 * `write` says whether the item is worth writing: something changed materially, or the last
 * write is older than REFRESH_AFTER_MS; otherwise the entries' seen times may lag by that much.
 */
export function mergeStatuses(
  stored: StoreHealth | undefined,
  store: { readonly storeId: string; readonly region: string },
  statuses: readonly ArrivedStatus[],
  now: number,
): { next: StoreHealth; write: boolean } {
  const devices: Record<string, DeviceHealth> = { ...(stored?.devices ?? {}) };
  let changed = stored === undefined || stored.region !== store.region;
  for (const status of [...statuses].sort((a, b) => a.arrivedAt - b.arrivedAt)) {
    const before = devices[status.event.deviceId];
    if (before !== undefined && before.seenAt > status.arrivedAt) continue;
    const after = healthOf(status, before);
    if (materially(before, after)) changed = true;
    devices[status.event.deviceId] = after;
  }
  const kept = Object.entries(devices)
    .sort(([, a], [, b]) => b.seenAt - a.seenAt)
    .slice(0, MAX_DEVICES_PER_STORE);
  const due = stored === undefined || now - stored.writtenAt >= REFRESH_AFTER_MS;
  return {
    next: {
      storeId: store.storeId,
      region: store.region,
      devices: Object.fromEntries(kept),
      writtenAt: now,
      version: stored?.version ?? 0,
    },
    write: changed || due,
  };
}

/** A store's health as the API answers it. */
export interface StoreHealthReport {
  readonly storeId: string;
  readonly region: string;
  /** Devices heard from within SILENT_AFTER_MS. */
  readonly reporting: number;
  /** Devices the item knows (heard from at least once). */
  readonly known: number;
  readonly silent: readonly { readonly deviceId: string; readonly lastSeenAt: string }[];
  /** The oldest unsent event of any reporting device: its age in seconds at its last status. */
  readonly backlogAgeSeconds: number;
  readonly backlogBytes: number;
  /** The furthest a reporting device's clock runs ahead of the stream's (ms). */
  readonly maxClockOffsetMs: number;
  readonly daemonVersions: Readonly<Record<string, number>>;
  readonly models: readonly string[];
  readonly errors: readonly {
    readonly deviceId: string;
    readonly code: string;
    readonly at: string;
  }[];
  /**
   * Every reporting device had delivered what it accepted before this instant: figures up to
   * it change only by late events of silent devices. Absent when no device reports.
   */
  readonly completeThrough?: string;
  /** Whether something needs a look: silent devices, a backlog over 5 minutes, a bad clock. */
  readonly attention: boolean;
}

/** The API's view of a store's item, as of `now`. */
export function storeHealthReport(health: StoreHealth, now: number): StoreHealthReport {
  const entries = Object.entries(health.devices);
  const reporting = entries.filter(([, d]) => now - d.seenAt <= SILENT_AFTER_MS);
  const silent = entries
    .filter(([, d]) => now - d.seenAt > SILENT_AFTER_MS)
    .sort(([, a], [, b]) => a.seenAt - b.seenAt)
    .map(([deviceId, d]) => ({ deviceId, lastSeenAt: new Date(d.seenAt).toISOString() }));
  const versions: Record<string, number> = {};
  for (const [, d] of entries) versions[d.daemonVersion] = (versions[d.daemonVersion] ?? 0) + 1;
  const backlogAgeSeconds = Math.max(
    0,
    ...reporting.map(([, d]) => (d.spoolBytes > 0 ? d.oldestUnsentAgeSeconds : 0)),
  );
  const maxClockOffsetMs = reporting.reduce(
    (worst, [, d]) => (Math.abs(d.clockOffsetMs) > Math.abs(worst) ? d.clockOffsetMs : worst),
    0,
  );
  const through = reporting.map(([, d]) => d.deliveredThrough);
  return {
    storeId: health.storeId,
    region: health.region,
    reporting: reporting.length,
    known: entries.length,
    silent,
    backlogAgeSeconds,
    backlogBytes: reporting.reduce((sum, [, d]) => sum + d.spoolBytes, 0),
    maxClockOffsetMs,
    daemonVersions: versions,
    models: [...new Set(entries.flatMap(([, d]) => d.models))].sort(),
    errors: entries.flatMap(([deviceId, d]) =>
      d.lastError === undefined ? [] : [{ deviceId, ...d.lastError }],
    ),
    ...(through.length > 0 && { completeThrough: new Date(Math.min(...through)).toISOString() }),
    attention: silent.length > 0 || backlogAgeSeconds > 300 || Math.abs(maxClockOffsetMs) > 60_000,
  };
}

/** Worst first: most silent devices, then the oldest backlog, then the worst clock. */
export function byAttention(a: StoreHealthReport, b: StoreHealthReport): number {
  return (
    b.silent.length - a.silent.length ||
    b.backlogAgeSeconds - a.backlogAgeSeconds ||
    Math.abs(b.maxClockOffsetMs) - Math.abs(a.maxClockOffsetMs) ||
    a.storeId.localeCompare(b.storeId)
  );
}

/** No write of a store's item for this long: no status arrived, every device is silent. */
export const DARK_AFTER_MS = SILENT_AFTER_MS + REFRESH_AFTER_MS;

/**
 * A store's coverage as of its item's last write: a few numbers, kept apart from the item so
 * that the coverage of a whole region or organisation is one cheap read.
 */
export interface CoverageSummary {
  readonly storeId: string;
  readonly region: string;
  readonly known: number;
  readonly reporting: number;
  readonly silent: number;
  /** Epoch ms; absent when no device reported. */
  readonly completeThrough?: number;
  /** Epoch ms of the item's write. */
  readonly writtenAt: number;
}

export function coverageSummary(health: StoreHealth): CoverageSummary {
  const report = storeHealthReport(health, health.writtenAt);
  return {
    storeId: health.storeId,
    region: health.region,
    known: report.known,
    reporting: report.reporting,
    silent: report.silent.length,
    ...(report.completeThrough !== undefined && {
      completeThrough: Date.parse(report.completeThrough),
    }),
    writtenAt: health.writtenAt,
  };
}

/** What a figure over many stores covers, as of `now`. */
export interface ScopeCoverage {
  readonly asOf: string;
  /** Stores whose daemons have reported at least once. */
  readonly stores: number;
  /** Of them, stores heard from lately (a write within DARK_AFTER_MS). */
  readonly storesReporting: number;
  /** Stores with a silent device, or silent altogether. */
  readonly storesWithGaps: number;
  readonly devicesKnown: number;
  readonly devicesReporting: number;
  /** The earliest complete-through of the reporting stores. */
  readonly completeThrough?: string;
}

/**
 * The coverage of many stores from their summaries: a store not written for DARK_AFTER_MS is
 * dark (all its devices silent); the others as of their last write (at most REFRESH_AFTER_MS
 * old while statuses arrive).
 */
export function scopeCoverage(summaries: readonly CoverageSummary[], now: number): ScopeCoverage {
  let storesReporting = 0;
  let storesWithGaps = 0;
  let devicesKnown = 0;
  let devicesReporting = 0;
  let through: number | undefined;
  for (const s of summaries) {
    devicesKnown += s.known;
    if (now - s.writtenAt > DARK_AFTER_MS) {
      storesWithGaps++;
      continue;
    }
    storesReporting++;
    devicesReporting += s.reporting;
    if (s.silent > 0) storesWithGaps++;
    if (s.completeThrough !== undefined)
      through = Math.min(through ?? s.completeThrough, s.completeThrough);
  }
  return {
    asOf: new Date(now).toISOString(),
    stores: summaries.length,
    storesReporting,
    storesWithGaps,
    devicesKnown,
    devicesReporting,
    ...(through !== undefined && { completeThrough: new Date(through).toISOString() }),
  };
}
