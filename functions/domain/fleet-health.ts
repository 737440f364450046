import type { DeviceStatusEvent, TelemetryEvent } from '#contract';
import { parseDate } from './calendar.js';
import { DEFAULT_EVENT_TIME_RULES } from './event-time.js';
import { GAP_DAYS_KEPT, gapDaysOf, mergeGapDays } from './open-hours.js';
import type { RegistryView, StoreInfo } from './registry-types.js';
import type { Rejection } from './route-event.js';

/**
 * Fleet health: what each edge daemon says of itself (`device_status` events), kept per store
 * in one small item, so that the figures can say how complete they are and operators can see
 * silent lanes, backlogs and bad clocks. Statuses never count in the figures.
 */

export const isStatus = (event: TelemetryEvent): event is DeviceStatusEvent =>
  event.type === 'device_status';

/**
 * A device with no status for this long is silent (its daemon sends one every 5 minutes when it
 * has news, and every 10 minutes, its heartbeat, when it has none): two heartbeats and a margin,
 * so that one status missing from the item (a failed write of it, or a store's daemons
 * restarted between heartbeats, whose next heartbeat is then not written) reads as no silence
 * and marks no gap day (tests/unit/fleet-health-heartbeat.test.ts).
 */
export const SILENT_AFTER_MS = 25 * 60_000;
/** A store's item is written again at least this often while statuses arrive. */
export const REFRESH_AFTER_MS = 10 * 60_000;
/**
 * A status merged when its device's kept entry is this old (by the merge's own clock) is
 * written, material or not. Statuses that are not material wait for the store's refresh, and a
 * refresh writes only the statuses of its own batch: without this bound a lane whose statuses
 * kept missing the refresh batches would read as silent while it reported every 5 minutes.
 * A device on its 10-minute heartbeat has its kept entry under this plus 10 minutes old (18)
 * plus the batching window, under SILENT_AFTER_MS. A store's heartbeats arrive more than 9
 * minutes apart (10, less the lingers and lags that spread them), so each is written. Statuses
 * 5 minutes apart (news, or a daemon set to send every status) are written every other time in
 * batches of up to 2 minutes, and every time in longer ones. A device that reports less often
 * than every 12 minutes can read as silent between two of its writes (a daemon's
 * `deviceStatus.heartbeatMs` is at most 10).
 */
export const RESEEN_AFTER_MS = 8 * 60_000;
/** Most devices one store's item keeps (the most recently seen). */
export const MAX_DEVICES_PER_STORE = 256;

/** One device's last status, as the store's item keeps it. */
export interface DeviceHealth {
  /** A lane's panel PC, or the store's gateway (which is no lane). */
  readonly kind: 'panel' | 'gateway';
  /** Arrival at the stream of its last status (epoch ms): when the pipeline last heard it. */
  readonly seenAt: number;
  /**
   * Its last status's own `occurredAt` (epoch ms, the device's clock). Statuses a daemon made
   * while its uplink was down arrive late but 5 minutes apart by this clock; a longer step
   * means the daemon itself was not running, and what it would have seen is lost.
   */
  readonly statusAt: number;
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

/** What the store's item keeps of its registry entry, as of its last write. */
export type StoreProfile = Pick<StoreInfo, 'timeZone' | 'lanes' | 'openHours' | 'test'>;

/**
 * The profile of an item or summary written before profiles were kept: no time zone (`''`,
 * which no runtime knows), so neither its days nor its open hours are guessed (taken as UTC
 * around the clock, every store closed for the night would read as silent in its open hours):
 * it adds no gap day when read and the fleet watch counts it as unjudged, until the store's
 * next write, which keeps its registry profile.
 */
export const UNKNOWN_PROFILE: StoreProfile = { timeZone: '' };

export interface StoreHealth {
  readonly storeId: string;
  readonly region: string;
  readonly profile: StoreProfile;
  readonly devices: Readonly<Record<string, DeviceHealth>>;
  /**
   * Store-local days (sorted, the GAP_DAYS_KEPT latest) on which a device's daemon was not
   * running for GAP_MIN_OVERLAP_MS or more of the open hours: those days' figures miss what
   * its lane saw. Silences still going on are added when read (storeHealthReport).
   */
  readonly gapDays: readonly string[];
  /** When the item was last written (epoch ms). */
  readonly writtenAt: number;
  /** Conditional-write version: 0 for an item never written. */
  readonly version: number;
}

export interface ArrivedStatus {
  readonly event: DeviceStatusEvent;
  /** Epoch ms at which its record reached the stream. */
  readonly arrivedAt: number;
  /** Its sender's kind, from the registry. */
  readonly kind: DeviceHealth['kind'];
}

export type StatusRouting =
  | { readonly ok: true; readonly store: StoreInfo; readonly kind: DeviceHealth['kind'] }
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
  return { ok: true, store, kind: device.kind };
}

const healthOf = (
  { event, arrivedAt, kind }: ArrivedStatus,
  before: DeviceHealth | undefined,
): DeviceHealth => ({
  kind,
  seenAt: arrivedAt,
  statusAt: Date.parse(event.occurredAt),
  clockOffsetMs: Math.max(0, Date.parse(event.occurredAt) - arrivedAt),
  spoolBytes: event.spool.bytes,
  oldestUnsentAgeSeconds: event.spool.oldestUnsentAgeSeconds,
  // By the stream's clock: the age is a duration the device measured, its clock may be off.
  deliveredThrough: arrivedAt - event.spool.oldestUnsentAgeSeconds * 1000,
  ...(event.lastError !== undefined && { lastError: event.lastError }),
  daemonVersion: event.daemonVersion,
  // A status names the models of the detections of its last 15 minutes: none, the same as before.
  models:
    event.models.length === 0 && before !== undefined
      ? before.models
      : [...new Set(event.models.map((m) => `${m.name}@${m.version}`))].sort(),
});

/** What an operator would want to know changed: worth a write before the refresh is due. */
function materially(a: DeviceHealth | undefined, b: DeviceHealth): boolean {
  if (a === undefined) return true;
  // Under five minutes unsent is no backlog: a gateway's linger holds seconds of events, so
  // its statuses flip between none and some, which is nothing an operator would act on.
  const backlog = (h: DeviceHealth) =>
    h.spoolBytes === 0 || h.oldestUnsentAgeSeconds < 300
      ? 0
      : h.oldestUnsentAgeSeconds < 3_600
        ? 1
        : 2;
  const skew = (h: DeviceHealth) => {
    const ms = Math.abs(h.clockOffsetMs);
    return ms < 60_000 ? 0 : ms < 15 * 60_000 ? 1 : 2;
  };
  return (
    backlog(a) !== backlog(b) ||
    skew(a) !== skew(b) ||
    a.lastError?.code !== b.lastError?.code ||
    a.daemonVersion !== b.daemonVersion ||
    // A lane's first detections name its models: the refresh shows them. A rollout is news.
    (a.models.length > 0 && a.models.join() !== b.models.join()) ||
    a.kind !== b.kind ||
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
  store: StoreInfo,
  statuses: readonly ArrivedStatus[],
  now: number,
): { next: StoreHealth; write: boolean } {
  const devices: Record<string, DeviceHealth> = { ...(stored?.devices ?? {}) };
  const profile = profileOf(store);
  let changed =
    stored === undefined ||
    stored.region !== store.region ||
    JSON.stringify(stored.profile) !== JSON.stringify(profile);
  const gaps: string[][] = [[...(stored?.gapDays ?? [])]];
  const ordered = [...statuses].sort(
    (a, b) =>
      a.arrivedAt - b.arrivedAt || Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt),
  );
  for (const status of ordered) {
    const before = devices[status.event.deviceId];
    const statusAt = Date.parse(status.event.occurredAt);
    if (
      before !== undefined &&
      (before.seenAt > status.arrivedAt ||
        (before.seenAt === status.arrivedAt && before.statusAt >= statusAt))
    )
      continue;
    const after = healthOf(status, before);
    if (materially(before, after)) changed = true;
    // About to read as silent: its kept entry (the stored one, not an earlier status of this
    // batch) is RESEEN_AFTER_MS old by the time of this merge.
    const kept = stored?.devices[status.event.deviceId];
    if (kept !== undefined && now - kept.seenAt >= RESEEN_AFTER_MS) changed = true;
    const silence = before === undefined ? undefined : silenceBetween(before, after);
    if (silence !== undefined) {
      gaps.push(gapDaysOf(silence[0], silence[1], store.timeZone, store.openHours));
    }
    devices[status.event.deviceId] = after;
  }
  const gapDays = mergeGapDays(...gaps);
  if (gapDays.join() !== (stored?.gapDays ?? []).join()) changed = true;
  const kept = Object.entries(devices)
    .sort(([, a], [, b]) => b.seenAt - a.seenAt)
    .slice(0, MAX_DEVICES_PER_STORE);
  const due = stored === undefined || now - stored.writtenAt >= REFRESH_AFTER_MS;
  return {
    next: {
      storeId: store.storeId,
      region: store.region,
      profile,
      devices: Object.fromEntries(kept),
      gapDays,
      writtenAt: now,
      version: stored?.version ?? 0,
    },
    write: changed || due,
  };
}

/**
 * A status whose own time is further behind its arrival than this did not wait in a spool
 * (no event that old counts: the processor's late-event horizon); its device's clock was
 * wrong, so the step from it to the next status says nothing of the daemon.
 */
export const MAX_STATUS_WAIT_MS = DEFAULT_EVENT_TIME_RULES.horizonMs;

/**
 * The silence between a device's two statuses (epoch ms, by the stream's clock), when its
 * daemon made nothing for more than SILENT_AFTER_MS. Each end is its own status's time, set
 * to the stream's clock by that status's own offset: a clock that steps ahead between two
 * statuses (a bad NTP answer, a year 2999) moves the later end only, and is no silence. A
 * clock that runs behind cannot be told from a status that waited out an uplink outage, so it
 * is believed, except past MAX_STATUS_WAIT_MS (a PC booted with its clock years behind, then
 * set right). A clock that steps behind by less, then right again, still reads as a silence:
 * a limit of what the statuses say.
 */
function silenceBetween(before: DeviceHealth, after: DeviceHealth): [number, number] | undefined {
  if (before.seenAt - before.statusAt > MAX_STATUS_WAIT_MS) return undefined;
  const from = before.statusAt - before.clockOffsetMs;
  const to = after.statusAt - after.clockOffsetMs;
  return to - from > SILENT_AFTER_MS ? [from, to] : undefined;
}

/** What a store's item and summary keep of its registry entry. */
export const profileOf = (store: StoreInfo): StoreProfile => ({
  timeZone: store.timeZone,
  ...(store.lanes !== undefined && { lanes: store.lanes }),
  ...(store.openHours !== undefined && { openHours: store.openHours }),
  ...(store.test === true && { test: true }),
});

/** Lanes: the panel PCs of a store (its gateway is none). */
export interface LaneCoverage {
  /** Lanes registered for the store (StoreInfo.lanes); absent when not registered. */
  readonly registered?: number;
  /** Lanes heard from at least once. */
  readonly known: number;
  /** Lanes heard from within SILENT_AFTER_MS. */
  readonly reporting: number;
  /** Lanes not reporting: registered (or else known) minus reporting, at least 0. */
  readonly missing: number;
}

/** A store's health as the API answers it. */
export interface StoreHealthReport {
  readonly storeId: string;
  readonly region: string;
  readonly lanes: LaneCoverage;
  /**
   * Store-local days whose figures miss a lane's events: a daemon not running for 15 minutes
   * or more of the open hours, or a lane missing now (from its last status until now; a PC
   * replaced by another marks nothing once every registered lane reports).
   */
  readonly gapDays: readonly string[];
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
  /**
   * Whether something needs a look: silent devices, registered lanes not reporting, a backlog
   * over 5 minutes, a bad clock.
   */
  readonly attention: boolean;
}

function laneCoverage(health: StoreHealth, now: number): LaneCoverage {
  const lanes = Object.values(health.devices).filter((d) => d.kind === 'panel');
  const reporting = lanes.filter((d) => now - d.seenAt <= SILENT_AFTER_MS).length;
  const registered = health.profile.lanes;
  return {
    ...(registered !== undefined && { registered }),
    known: lanes.length,
    reporting,
    missing: Math.max(0, (registered ?? lanes.length) - reporting),
  };
}

/** The API's view of a store's item, as of `now`. */
export function storeHealthReport(health: StoreHealth, now: number): StoreHealthReport {
  const entries = Object.entries(health.devices);
  const reporting = entries.filter(([, d]) => now - d.seenAt <= SILENT_AFTER_MS);
  const silentEntries = entries
    .filter(([, d]) => now - d.seenAt > SILENT_AFTER_MS)
    .sort(([, a], [, b]) => a.seenAt - b.seenAt);
  const silent = silentEntries.map(([deviceId, d]) => ({
    deviceId,
    lastSeenAt: new Date(d.seenAt).toISOString(),
  }));
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
  const lanes = laneCoverage(health, now);
  const { timeZone, openHours } = health.profile;
  // The lanes missing now are the panels silenced most recently, as many as the registered
  // lanes exceed those reporting: a PC replaced by another stays in the item, silent for good,
  // and marks nothing once the new one reports for its lane (all silent panels, without a
  // lane count). A silent gateway always counts. Every silence still going on ends now, so
  // their days are those of the longest counted: one silence worked out, however many.
  const panels = silentEntries.filter(([, d]) => d.kind === 'panel');
  const counted = [
    ...silentEntries.filter(([, d]) => d.kind === 'gateway'),
    ...panels.slice(panels.length - Math.min(lanes.missing, panels.length)),
  ];
  const silentSince =
    counted.length === 0 ? undefined : Math.min(...counted.map(([, d]) => d.seenAt));
  const gapDays = mergeGapDays(
    health.gapDays,
    silentSince === undefined ? [] : gapDaysOf(silentSince, now, timeZone, openHours),
  );
  return {
    storeId: health.storeId,
    region: health.region,
    lanes,
    gapDays,
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
    attention:
      silent.length > 0 ||
      lanes.missing > 0 ||
      backlogAgeSeconds > 300 ||
      Math.abs(maxClockOffsetMs) > 60_000,
  };
}

/** Worst first: most lanes missing, most silent devices, the oldest backlog, the worst clock. */
export function byAttention(a: StoreHealthReport, b: StoreHealthReport): number {
  return (
    b.lanes.missing - a.lanes.missing ||
    b.silent.length - a.silent.length ||
    b.backlogAgeSeconds - a.backlogAgeSeconds ||
    Math.abs(b.maxClockOffsetMs) - Math.abs(a.maxClockOffsetMs) ||
    a.storeId.localeCompare(b.storeId)
  );
}

const DAY_MS = 86_400_000;

/**
 * No write of a store's item for this long: no status arrived, every device is silent. While
 * statuses arrive the item is written about every 10 minutes (each heartbeat), so this is two
 * missed writes and a margin.
 */
export const DARK_AFTER_MS = 30 * 60_000;

/**
 * A store's coverage as of its item's last write: a few numbers, kept apart from the item so
 * that the coverage of a whole region or organisation is one cheap read. A store registered
 * with its lanes but never heard from has one too (`registeredCoverage`), with no devices.
 */
export interface CoverageSummary {
  readonly storeId: string;
  readonly region: string;
  readonly profile: StoreProfile;
  readonly known: number;
  readonly reporting: number;
  readonly silent: number;
  readonly lanes: LaneCoverage;
  /** As the store's report had them at the write (ongoing silences up to then included). */
  readonly gapDays: readonly string[];
  /** Epoch ms; absent when no device reported. */
  readonly completeThrough?: number;
  /** Epoch ms of the item's write (of the registration, for a store never heard from). */
  readonly writtenAt: number;
}

export function coverageSummary(health: StoreHealth): CoverageSummary {
  const report = storeHealthReport(health, health.writtenAt);
  return {
    storeId: health.storeId,
    region: health.region,
    profile: health.profile,
    known: report.known,
    reporting: report.reporting,
    silent: report.silent.length,
    lanes: report.lanes,
    gapDays: report.gapDays,
    ...(report.completeThrough !== undefined && {
      completeThrough: Date.parse(report.completeThrough),
    }),
    writtenAt: health.writtenAt,
  };
}

/** The summary of a store registered at `now` and not heard from yet: every lane missing. */
export function registeredCoverage(store: StoreInfo, now: number): CoverageSummary {
  return coverageSummary({
    storeId: store.storeId,
    region: store.region,
    profile: profileOf(store),
    devices: {},
    gapDays: [],
    writtenAt: now,
    version: 0,
  });
}

/**
 * A summary its daemons wrote, with its store's registry profile now (time zone, lanes, open
 * hours, test) and its lanes counted against the lanes registered now: what a registration
 * corrects at once, since a store silent under wrong hours or lanes sends nothing that would
 * rewrite it. Its gap days stand as they were worked out.
 */
export function withProfile(s: CoverageSummary, store: StoreInfo): CoverageSummary {
  const profile = profileOf(store);
  const { known, reporting } = s.lanes;
  return {
    ...s,
    profile,
    lanes: {
      ...(profile.lanes !== undefined && { registered: profile.lanes }),
      known,
      reporting,
      missing: Math.max(0, (profile.lanes ?? known) - reporting),
    },
  };
}

/** Whether a summary's store is silent altogether as of `now`: never heard, or not lately. */
export const isDark = (s: CoverageSummary, now: number) =>
  s.known === 0 || now - s.writtenAt > DARK_AFTER_MS;

/**
 * A summary's gap days as of `now`: a dark store's open days since its last write added. With
 * a period, only its days: the silence is worked out over the period (and a day either side,
 * for the store's time zone), so a scope's coverage costs what its period covers, however
 * long its stores have been dark.
 */
export function summaryGapDays(
  s: CoverageSummary,
  now: number,
  period?: { readonly from: string; readonly to: string },
): readonly string[] {
  const within = (d: string) => period === undefined || (d >= period.from && d <= period.to);
  if (!isDark(s, now)) return period === undefined ? s.gapDays : s.gapDays.filter(within);
  let [from, to] = [s.writtenAt, now];
  if (period !== undefined) {
    // Never further back than a silence marks (GAP_DAYS_KEPT before now), as without one.
    from = Math.max(
      from,
      now - GAP_DAYS_KEPT * DAY_MS,
      (parseDate(period.from) ?? from) - 2 * DAY_MS,
    );
    to = Math.min(to, (parseDate(period.to) ?? to) + 3 * DAY_MS);
  }
  return mergeGapDays(
    s.gapDays,
    gapDaysOf(from, to, s.profile.timeZone, s.profile.openHours),
  ).filter(within);
}

/** What a figure over many stores covers, as of `now`. */
export interface ScopeCoverage {
  readonly asOf: string;
  /** Stores registered with their lanes, or heard from (test stores never count). */
  readonly stores: number;
  /** Of them, stores heard from lately (a write within DARK_AFTER_MS). */
  readonly storesReporting: number;
  /** Stores with a lane not reporting, or silent altogether. */
  readonly storesWithGaps: number;
  /** Lanes registered, over the stores; a store without a lane count adds the lanes it has had. */
  readonly lanesRegistered: number;
  readonly lanesReporting: number;
  /** Stores registered without a lane count (their known lanes stand in for it). */
  readonly storesWithoutLaneCount: number;
  readonly devicesKnown: number;
  readonly devicesReporting: number;
  /** The earliest complete-through of the reporting stores. */
  readonly completeThrough?: string;
  /**
   * Days of the period (when given) on which some store's figures miss a lane's events, with
   * how many stores: a daemon down in open hours, or a lane or store silent now.
   */
  readonly gapDays: readonly { readonly date: string; readonly stores: number }[];
}

/**
 * The coverage of many stores from their summaries: a store not written for DARK_AFTER_MS is
 * dark (all its devices silent, every open day since its last write a gap day); the others as
 * of their last write (at most REFRESH_AFTER_MS old while statuses arrive).
 */
export function scopeCoverage(
  summaries: readonly CoverageSummary[],
  now: number,
  period?: { readonly from: string; readonly to: string },
): ScopeCoverage {
  let stores = 0;
  let storesReporting = 0;
  let storesWithGaps = 0;
  let lanesRegistered = 0;
  let lanesReporting = 0;
  let storesWithoutLaneCount = 0;
  let devicesKnown = 0;
  let devicesReporting = 0;
  let through: number | undefined;
  const gapStores = new Map<string, number>();
  for (const s of summaries) {
    if (s.profile.test === true) continue;
    stores++;
    devicesKnown += s.known;
    lanesRegistered += s.lanes.registered ?? s.lanes.known;
    if (s.lanes.registered === undefined) storesWithoutLaneCount++;
    const dark = isDark(s, now);
    for (const date of summaryGapDays(s, now, period)) {
      gapStores.set(date, (gapStores.get(date) ?? 0) + 1);
    }
    if (dark) {
      storesWithGaps++;
      continue;
    }
    storesReporting++;
    devicesReporting += s.reporting;
    lanesReporting += s.lanes.reporting;
    if (s.silent > 0 || s.lanes.missing > 0) storesWithGaps++;
    if (s.completeThrough !== undefined)
      through = Math.min(through ?? s.completeThrough, s.completeThrough);
  }
  return {
    asOf: new Date(now).toISOString(),
    stores,
    storesReporting,
    storesWithGaps,
    lanesRegistered,
    lanesReporting,
    storesWithoutLaneCount,
    devicesKnown,
    devicesReporting,
    ...(through !== undefined && { completeThrough: new Date(through).toISOString() }),
    gapDays: [...gapStores]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, count]) => ({ date, stores: count })),
  };
}
