/**
 * When a store's daemons send their own statuses: all of one store's at the same instants of
 * the wall clock, every `intervalMs`, at a phase its `storeId` decides. The pipeline writes a
 * store's fleet health item from the statuses of one batch, so a store whose devices report
 * together is kept whole by one write; a store whose 40 lanes reported at 40 offsets took one
 * write every few minutes to keep every lane's entry fresh. Phases differ from store to store
 * (a hash of the id), so the fleet's statuses still spread over the interval.
 */

/** The store's phase within the interval (ms): FNV-1a of its id, modulo the interval. */
export function statusPhaseMs(storeId: string, intervalMs: number): number {
  if (!(Number.isSafeInteger(intervalMs) && intervalMs > 0))
    throw new RangeError('a status interval is a positive whole number of ms');
  let hash = 0x811c9dc5;
  for (let i = 0; i < storeId.length; i++) {
    hash ^= storeId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % intervalMs;
}

/** The first instant after `nowMs` (epoch ms) at the store's phase: its next status. */
export function nextStatusAt(nowMs: number, storeId: string, intervalMs: number): number {
  const phase = statusPhaseMs(storeId, intervalMs);
  const into = (((nowMs - phase) % intervalMs) + intervalMs) % intervalMs;
  return nowMs - into + intervalMs;
}

/**
 * Whether `atMs`, an instant of the store's phase of the status interval, is also one of its
 * phase of the heartbeat (`heartbeatMs`, a whole multiple of the interval): the instants at
 * which a daemon with nothing new to say still sends its status. Since the heartbeat is a
 * multiple of the interval, its phase instants are some of the interval's (FNV-1a modulo a
 * multiple, taken modulo the interval, is the interval's phase), so every daemon of one store
 * sends its quiet statuses at the same instants too, and one write keeps them all.
 */
export function isHeartbeatInstant(atMs: number, storeId: string, heartbeatMs: number): boolean {
  const into =
    (((atMs - statusPhaseMs(storeId, heartbeatMs)) % heartbeatMs) + heartbeatMs) % heartbeatMs;
  return into === 0;
}

/**
 * Calls `fn` at every instant of the store's phase (nextStatusAt) until stopped, with that
 * instant (epoch ms: the one aimed at, whatever the timer's own lateness). The timer is
 * set afresh from the clock each time, so it never drifts off the phase, and it keeps no
 * process alive.
 */
export function atStatusPhase(
  storeId: string,
  intervalMs: number,
  fn: (atMs: number) => void,
): { stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // The instant last aimed at: a clock slewed back a little after a call must not call again
  // for the same instant; one stepped back by more than an interval aims afresh from now.
  let target = Number.NEGATIVE_INFINITY;
  const schedule = () => {
    if (stopped) return;
    const now = Date.now();
    const from = target > now && target - now <= intervalMs ? target : now;
    target = nextStatusAt(from, storeId, intervalMs);
    const at = target;
    timer = setTimeout(() => {
      fn(at);
      schedule();
    }, target - now);
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
