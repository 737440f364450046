import { decodeTime, ulid } from 'ulid';
import type {
  DetectionCategory,
  DetectionEvent,
  DetectionOutcomeEvent,
  OncallIncidentEvent,
  TelemetryEvent,
} from '../contract/index.js';
import {
  CATEGORY_MIX,
  LOSS_RANGE,
  laneModel,
  MINUTES_RANGE,
  outcomeMix,
  RESOLUTION_MIX,
} from './event-mix.js';
import type { SimFleet } from './fleet.js';
import { emptyShrink, emptyTruth, type GroundTruth, type ShrinkTruth } from './ground-truth.js';
import { between, seededRandom, weighted } from './random.js';

export interface SimulatorOptions {
  readonly fleet: SimFleet;
  readonly seed: number;
  /** Baseline minutes per incident class (the processor's configuration). */
  readonly baselines: {
    readonly defaultMinutes: number;
    readonly classes: Readonly<Record<string, number>>;
  };
  /** Share of emitted events that resend an already-sent event, as a lost ack would. @default 0.01 */
  readonly resendRate?: number;
  /**
   * Share of emitted events that are on-call incidents (the rest are detections and their
   * outcomes). A long run at a realistic pace wants this far lower than a short test does.
   * @default 0.06
   */
  readonly incidentShare?: number;
  /** Share of outcomes emitted before their detection. @default 0.03 */
  readonly outcomeFirstRate?: number;
  readonly now?: () => number;
}

interface DetectionRecord {
  readonly storeId: string;
  readonly timeZone: string;
  readonly category: DetectionCategory;
  readonly estimate: number;
  detectionSent: boolean;
  outcome?: { readonly kind: string; readonly recovered: number };
}

/**
 * A store fleet's behaviour: detections by lane with realistic categories, confidences and
 * losses; associates resolving most of them a little later (occasionally reported before the
 * detection reaches the stream); on-call incidents closed by automation, with help, or by
 * hand; and a trickle of resends of already-sent events. Seeded, so a run can be reproduced.
 */
export class FleetSimulator {
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly seqs = new Map<string, number>();
  private readonly pendingOutcomes: DetectionOutcomeEvent[] = [];
  private readonly recent: TelemetryEvent[] = [];
  private readonly acknowledged = new Set<string>();
  private readonly detections = new Map<string, DetectionRecord>();
  private readonly result: GroundTruth = emptyTruth();
  private readonly classes: string[];

  constructor(private readonly options: SimulatorOptions) {
    this.random = seededRandom(options.seed);
    this.now = options.now ?? Date.now;
    this.classes = [...Object.keys(options.baselines.classes), 'other_issue'];
    // Sequence numbers start from the clock, so a later run never reuses an earlier run's.
    const base = this.now() * 1000;
    for (const d of [...options.fleet.panels, ...options.fleet.agents])
      this.seqs.set(d.deviceId, base);
    this.result.runs = 1;
  }

  /** The next `count` events in send order. */
  next(count: number): TelemetryEvent[] {
    const out: TelemetryEvent[] = [];
    while (out.length < count) {
      const roll = this.random();
      if (this.recent.length > 0 && roll < (this.options.resendRate ?? 0.01)) {
        out.push(this.recent[Math.floor(this.random() * this.recent.length)] as TelemetryEvent);
      } else if (this.pendingOutcomes.length > 0 && roll < 0.4) {
        const i = Math.floor(this.random() * Math.min(this.pendingOutcomes.length, 8));
        out.push(...this.pendingOutcomes.splice(i, 1));
      } else if (roll < 0.4 + (this.options.incidentShare ?? 0.06)) {
        out.push(this.incident());
      } else {
        out.push(...this.detection());
      }
    }
    for (const e of out) this.remember(e);
    return out;
  }

  /** Outcomes not yet emitted; a run sends them before it ends. */
  drainPending(): TelemetryEvent[] {
    return this.pendingOutcomes.splice(0, this.pendingOutcomes.length);
  }

  /** Records events Kinesis acknowledged; only those count in the ground truth. */
  acknowledge(events: readonly TelemetryEvent[]): void {
    for (const e of events) {
      this.result.eventsSent++;
      if (this.acknowledged.has(e.eventId)) {
        this.result.resends++;
        continue;
      }
      this.acknowledged.add(e.eventId);
      if (e.type === 'detection') this.countDetection(e);
      else if (e.type === 'detection_outcome') this.countOutcome(e);
      else if (e.type === 'oncall_incident') this.countIncident(e);
    }
  }

  truth(): GroundTruth {
    return structuredClone(this.result);
  }

  private nextSeq(deviceId: string): number {
    const seq = (this.seqs.get(deviceId) ?? 0) + 1;
    this.seqs.set(deviceId, seq);
    return seq;
  }

  private common(deviceId: string, at: number) {
    return {
      schemaVersion: 1 as const,
      eventId: ulid(at, this.random),
      deviceId,
      occurredAt: new Date(at).toISOString(),
      seq: this.nextSeq(deviceId),
    };
  }

  private detection(): TelemetryEvent[] {
    const { fleet } = this.options;
    const panel = fleet.panels[
      Math.floor(this.random() * fleet.panels.length)
    ] as SimFleet['panels'][number];
    const category = weighted(this.random, CATEGORY_MIX);
    const [lo, hi] = LOSS_RANGE[category];
    const at = this.now();
    const detection: DetectionEvent = {
      ...this.common(panel.deviceId, at),
      type: 'detection',
      storeId: panel.storeId,
      detectionId: ulid(at, this.random),
      laneId: panel.laneId,
      category,
      confidence: Math.round((0.5 + this.random() * 0.49) * 1000) / 1000,
      estimatedLossCents: between(this.random, lo, hi),
      model: laneModel(panel),
    };
    if (this.random() >= 0.75) return [detection];
    const kind = weighted(this.random, outcomeMix(panel, laneModel(panel)));
    const recovered =
      kind === 'recovered'
        ? detection.estimatedLossCents
        : kind === 'confirmed_loss' && this.random() < 0.5
          ? between(this.random, 0, Math.floor(detection.estimatedLossCents / 2))
          : 0;
    const outcome: DetectionOutcomeEvent = {
      ...this.common(panel.deviceId, at + 1),
      type: 'detection_outcome',
      storeId: panel.storeId,
      detectionId: detection.detectionId,
      outcome: kind,
      recoveredCents: recovered,
    };
    if (this.random() < (this.options.outcomeFirstRate ?? 0.03)) return [outcome, detection];
    this.pendingOutcomes.push(outcome);
    return [detection];
  }

  private incident(): OncallIncidentEvent {
    const agent = this.options.fleet.agents[
      Math.floor(this.random() * this.options.fleet.agents.length)
    ] as SimFleet['agents'][number];
    const resolution = weighted(this.random, RESOLUTION_MIX);
    const [lo, hi] = MINUTES_RANGE[resolution];
    const engineerMinutes = between(this.random, lo, hi);
    const at = this.now();
    const stores = this.options.fleet.stores;
    const store =
      this.random() < 0.6 ? stores[Math.floor(this.random() * stores.length)] : undefined;
    return {
      ...this.common(agent.deviceId, at),
      type: 'oncall_incident',
      incidentId: `inc-${ulid(at, this.random).toLowerCase()}`,
      teamId: agent.teamId,
      ...(store !== undefined && { storeId: store.storeId }),
      incidentClass: this.classes[Math.floor(this.random() * this.classes.length)] as string,
      openedAt: new Date(
        at - (engineerMinutes + between(this.random, 1, 30)) * 60_000,
      ).toISOString(),
      resolvedAt: new Date(at).toISOString(),
      resolution,
      engineerMinutes,
    };
  }

  private remember(event: TelemetryEvent): void {
    this.recent.push(event);
    if (this.recent.length > 256) this.recent.shift();
  }

  private record(detectionId: string, storeId: string): DetectionRecord {
    let r = this.detections.get(detectionId);
    if (r === undefined) {
      const store = this.options.fleet.stores.find((s) => s.storeId === storeId);
      r = {
        storeId,
        timeZone: store?.timeZone ?? 'UTC',
        category: 'other',
        estimate: 0,
        detectionSent: false,
      };
      this.detections.set(detectionId, r);
    }
    return r;
  }

  private storeDay(detectionId: string, r: DetectionRecord): ShrinkTruth {
    // The store day is the detection's local date (from the instant inside its ULID).
    const date = new Date(decodeTime(detectionId)).toLocaleDateString('sv-SE', {
      timeZone: r.timeZone,
    });
    const days = this.result.storeDays[r.storeId] ?? {};
    this.result.storeDays[r.storeId] = days;
    const day = days[date] ?? emptyShrink();
    days[date] = day;
    return day;
  }

  private countDetection(e: DetectionEvent): void {
    const r = this.record(e.detectionId, e.storeId);
    Object.assign(r, { category: e.category, estimate: e.estimatedLossCents });
    r.detectionSent = true;
    const confirmed =
      r.outcome?.kind === 'confirmed_loss'
        ? Math.max(0, e.estimatedLossCents - r.outcome.recovered)
        : 0;
    for (const t of [this.result.shrink, this.storeDay(e.detectionId, r)]) {
      t.detections++;
      t.detectionsByCategory[e.category] = (t.detectionsByCategory[e.category] ?? 0) + 1;
      t.lossDetectedCents += e.estimatedLossCents;
      t.confirmedLossCents += confirmed;
    }
  }

  private countOutcome(e: DetectionOutcomeEvent): void {
    const r = this.record(e.detectionId, e.storeId);
    r.outcome = { kind: e.outcome, recovered: e.recoveredCents };
    const confirmed =
      e.outcome === 'confirmed_loss' && r.detectionSent
        ? Math.max(0, r.estimate - e.recoveredCents)
        : 0;
    for (const t of [this.result.shrink, this.storeDay(e.detectionId, r)]) {
      t.outcomes++;
      t.outcomesByKind[e.outcome] = (t.outcomesByKind[e.outcome] ?? 0) + 1;
      if (e.outcome === 'false_positive') t.falsePositives++;
      else t.lossPreventedCents += e.recoveredCents;
      t.confirmedLossCents += confirmed;
    }
  }

  private countIncident(e: OncallIncidentEvent): void {
    const h = this.result.hours;
    const baseline =
      this.options.baselines.classes[e.incidentClass] ?? this.options.baselines.defaultMinutes;
    h.incidents++;
    h.incidentsByResolution[e.resolution] = (h.incidentsByResolution[e.resolution] ?? 0) + 1;
    h.engineerMinutes += e.engineerMinutes;
    h.minutesSaved += Math.max(0, baseline - e.engineerMinutes);
  }
}
