/**
 * Whether a daemon's status says something new: what the pipeline's fleet health would write at
 * once rather than at its next refresh (`materially` in functions/domain/fleet-health.ts, which
 * tests/unit/status-news.test.ts holds this to), and a backlog while it lasts. A daemon sends a
 * status at every instant of its
 * interval when it has news, and otherwise only at its heartbeat's (daemon.ts): a healthy lane
 * reports half as often, and a backlog, an error or a rollout is still reported within one
 * interval.
 */

/** Under this much unsent is no backlog (a gateway's linger holds seconds of events). */
const BACKLOG_AFTER_SECONDS = 300;
/** A backlog this old is a long one: the next step an operator sees. */
const LONG_BACKLOG_AFTER_SECONDS = 3_600;

/** What of a status decides whether it is news. */
export interface StatusGist {
  /** 0: none (or under 5 minutes), 1: under an hour, 2: an hour or more. */
  readonly backlog: 0 | 1 | 2;
  /** The code of the error it reports, if any. */
  readonly errorCode: string | undefined;
  /** `name@version` of the models it names, sorted and joined. */
  readonly models: string;
  readonly daemonVersion: string;
}

export interface StatusFacts {
  readonly spool: { readonly bytes: number; readonly oldestUnsentAgeSeconds: number };
  readonly lastError?: { readonly code: string };
  readonly models: readonly { readonly name: string; readonly version: string }[];
  readonly daemonVersion: string;
}

export function statusGist(status: StatusFacts): StatusGist {
  const age = status.spool.oldestUnsentAgeSeconds;
  return {
    backlog:
      status.spool.bytes === 0 || age < BACKLOG_AFTER_SECONDS
        ? 0
        : age < LONG_BACKLOG_AFTER_SECONDS
          ? 1
          : 2,
    errorCode: status.lastError?.code,
    models: [...new Set(status.models.map((m) => `${m.name}@${m.version}`))].sort().join(),
    daemonVersion: status.daemonVersion,
  };
}

/**
 * News against the last status sent: a daemon's first, a backlog crossing 5 minutes or an hour
 * either way, an error code other than the last one reported (or none after one), another
 * version, or other models after some were named: what the pipeline writes at once. And a
 * backlog at all, while it lasts: the pipeline's backlog alarm counts such statuses every 5
 * minutes, and an operator watching one wants it fresh. A lane's first naming of its models is
 * no news, as the pipeline waits for its refresh to write it (a status names the models of the
 * last 15 minutes, so the heartbeat still does).
 */
export function isStatusNews(last: StatusGist | undefined, next: StatusGist): boolean {
  if (last === undefined) return true;
  return (
    next.backlog > 0 ||
    last.backlog !== next.backlog ||
    last.errorCode !== next.errorCode ||
    last.daemonVersion !== next.daemonVersion ||
    (last.models !== '' && next.models !== '' && last.models !== next.models)
  );
}

/**
 * What a daemon keeps of the status it just sent, to tell news from: the status, with the
 * models it named before when it names none, as the pipeline keeps a lane's models over a
 * status naming none (healthOf in functions/domain/fleet-health.ts). Otherwise a rollout
 * after a lane's models aged out to none would wait for the heartbeat, while the pipeline
 * writes it at once.
 */
export function keptGist(last: StatusGist | undefined, sent: StatusGist): StatusGist {
  return sent.models === '' && last !== undefined ? { ...sent, models: last.models } : sent;
}
