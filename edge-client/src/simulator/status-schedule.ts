import { isHeartbeatInstant, statusPhaseMs } from '../utils/status-phase.js';
import { seededRandom } from './random.js';

/** How far behind its store's phase a device's status may be made (clocks and timers). */
export const STATUS_LAG_MS = 2_000;

/** A device that sends its own `device_status`: a lane PC, or a store's gateway. */
export interface StatusSender {
  readonly deviceId: string;
  readonly storeId: string;
}

/** A status due: its sender, and whether it goes only if it is news (between heartbeats). */
export interface DueStatus extends StatusSender {
  readonly onlyNews: boolean;
}

export interface StatusScheduleOptions {
  readonly devices: readonly StatusSender[];
  /** Time between one device's statuses (a daemon's `deviceStatus.intervalMs`). */
  readonly intervalMs: number;
  /**
   * Time between the statuses a device sends with no news (`deviceStatus.heartbeatMs`): a
   * whole multiple of the interval. Between two, a status is due `onlyNews`. Default: the
   * interval (every status is a heartbeat).
   */
  readonly heartbeatMs?: number;
  /** Seeds each device's lag behind its store's phase: the same seed, the same offsets. */
  readonly seed: number;
  /**
   * Devices that stop after this many statuses, as a daemon whose status timer died would:
   * the pipeline then shows them silent while their events may still count.
   */
  readonly stopAfter?: ReadonlyMap<string, number>;
}

/**
 * When each simulated device sends its status: every `intervalMs`, as a daemon does, at its
 * store's phase (statusPhaseMs: the devices of one store together, the stores spread over the
 * interval), each device up to STATUS_LAG_MS behind it (its clock, its timer). Pure: `due` is
 * asked with the time elapsed since the run began, in whatever clock the caller runs (a
 * slow-motion run passes its own, and its interval is the phase's modulus).
 */
export class StatusSchedule {
  /**
   * Devices by first offset, earliest first; `next` the one due next in `round`. `phase` is
   * its store's phase instant of the interval, without the device's lag: the instant its
   * daemon's timer aims at, which says whether a round is a heartbeat.
   */
  private readonly order: readonly {
    readonly sender: StatusSender;
    readonly offset: number;
    readonly phase: number;
  }[];
  private readonly modulus: number;
  private readonly every: number;
  private next = 0;
  private round = 0;
  private readonly sent = new Map<string, number>();

  constructor(private readonly options: StatusScheduleOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('a status interval is positive');
    const random = seededRandom(options.seed ^ 0x5eed5747);
    // The phase wants whole ms; a slow-motion interval may not be one.
    const modulus = Math.max(1, Math.round(options.intervalMs));
    const every = Math.round((options.heartbeatMs ?? options.intervalMs) / options.intervalMs);
    if (
      !(
        every >= 1 &&
        Math.abs(every * options.intervalMs - (options.heartbeatMs ?? options.intervalMs)) < 1
      )
    )
      throw new RangeError('a heartbeat is a whole multiple of the status interval');
    this.modulus = modulus;
    this.every = every;
    const lagMs = Math.min(STATUS_LAG_MS, options.intervalMs);
    this.order = options.devices
      .map((sender) => {
        const phase = statusPhaseMs(sender.storeId, modulus);
        return {
          sender,
          phase,
          offset: (phase + Math.floor(random() * lagMs)) % options.intervalMs,
        };
      })
      .sort((a, b) => a.offset - b.offset);
  }

  /** The devices whose status falls due by `elapsedMs` and not yet handed out, in order. */
  due(elapsedMs: number): DueStatus[] {
    const out: DueStatus[] = [];
    while (this.order.length > 0) {
      const slot = this.order[this.next] as (typeof this.order)[number];
      if (slot.offset + this.round * this.options.intervalMs > elapsedMs) break;
      const { deviceId } = slot.sender;
      const sent = this.sent.get(deviceId) ?? 0;
      if (sent < (this.options.stopAfter?.get(deviceId) ?? Number.POSITIVE_INFINITY)) {
        // Its first status is always sent (a daemon's at start); then, as its daemon does, a
        // status between heartbeats goes only with news.
        const heartbeat =
          sent === 0 ||
          isHeartbeatInstant(
            slot.phase + this.round * this.modulus,
            slot.sender.storeId,
            this.every * this.modulus,
          );
        out.push({ ...slot.sender, onlyNews: !heartbeat });
        this.sent.set(deviceId, sent + 1);
      }
      if (++this.next === this.order.length) {
        this.next = 0;
        this.round++;
      }
    }
    return out;
  }
}
