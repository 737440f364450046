import type { TelemetryEvent } from '../contract/index.js';
import { sleep } from '../utils/sleep.js';
import type { FleetSimulator } from './fleet-simulator.js';

export interface RunOptions {
  /** Events per second across the fleet. */
  readonly rate: number;
  /** Stop after this long (ms)... */
  readonly durationMs?: number;
  /** ...or after this many events, whichever comes first. */
  readonly maxEvents?: number;
  readonly signal?: AbortSignal;
  /** Called after each acknowledged batch. */
  readonly onBatch?: (sent: number) => void;
}

/** Anything that puts events on the stream and resolves once they are acknowledged. */
export interface EventSink {
  put(events: readonly TelemetryEvent[], signal?: AbortSignal): Promise<unknown>;
}

const TICK_MS = 100;

/**
 * Drives a simulator at a steady rate through a sink, acknowledging to the simulator only what
 * the sink confirmed, then sends the outcomes still pending so the run ends complete. An abort
 * stops generating; what was confirmed until then is what the ground truth holds.
 */
export async function runSimulation(
  simulator: FleetSimulator,
  sink: EventSink,
  options: RunOptions,
): Promise<number> {
  const started = Date.now();
  let sent = 0;
  let credit = 0;
  const budget = options.maxEvents ?? Number.POSITIVE_INFINITY;
  while (
    !options.signal?.aborted &&
    sent < budget &&
    (options.durationMs === undefined || Date.now() - started < options.durationMs)
  ) {
    const tickStart = Date.now();
    credit += (options.rate * TICK_MS) / 1000;
    const count = Math.min(Math.floor(credit), budget - sent);
    if (count > 0) {
      credit -= count;
      sent += await send(simulator, sink, simulator.next(count), options);
    }
    const wait = TICK_MS - (Date.now() - tickStart);
    if (wait > 0) await sleep(wait);
  }
  if (!options.signal?.aborted)
    sent += await send(simulator, sink, simulator.drainPending(), options);
  return sent;
}

async function send(
  simulator: FleetSimulator,
  sink: EventSink,
  events: TelemetryEvent[],
  options: RunOptions,
) {
  if (events.length === 0) return 0;
  await sink.put(events, options.signal);
  simulator.acknowledge(events);
  options.onBatch?.(events.length);
  return events.length;
}
