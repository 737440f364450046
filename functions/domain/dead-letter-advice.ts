import type { PoisonReason } from './route-event.js';

/**
 * Whether a replay of the letter's record (from the stream, or the raw archive), or a rebuild
 * from the archive, counts its events once the cause is fixed.
 */
export type Recovery = 'rebuild_after_fix' | 'counts_after_fix' | 'never';

export interface DeadLetterAdvice {
  /** What the reason means, in one sentence. */
  readonly meaning: string;
  /** What an operator does about it. */
  readonly fix: string;
  readonly recovery: Recovery;
}

/**
 * The runbook's table (docs/operations.md, "A dead-lettered record") as data, so the tools say
 * the same as the page. Registry reasons (a device, store or key registered late or wrongly) are
 * in the stream and the raw archive, and a replay or a rebuild counts them once the registry is
 * right; the others are judged the same way again.
 */
const ADVICE: Readonly<Record<PoisonReason, DeadLetterAdvice>> = {
  unknown_device: {
    meaning: 'the sending device is not in the device registry',
    fix: 'register the device (npm run register) with its store or team; its new events count at once',
    recovery: 'rebuild_after_fix',
  },
  unknown_store: {
    meaning: 'the event names a store the registry does not hold',
    fix: 'register the store (region, time zone) with npm run register',
    recovery: 'rebuild_after_fix',
  },
  store_mismatch: {
    meaning: 'the device is registered to another store than the event names',
    fix: "correct the device's registry entry, or the sender's config if it names the wrong store",
    recovery: 'rebuild_after_fix',
  },
  team_mismatch: {
    meaning: 'the agent is registered to another team than the incident names',
    fix: "correct the agent's registry entry, or its config",
    recovery: 'rebuild_after_fix',
  },
  unknown_key: {
    meaning: 'the signer, or the key the record names, is not registered or not valid at arrival',
    fix: "register the device's signing key (npm run register, keys) valid from before the records arrived, then replay; or rotate a lost one",
    recovery: 'rebuild_after_fix',
  },
  unsigned: {
    meaning: 'the record carries no signature and the processor refuses unsigned records',
    fix: 'upgrade the sender to sign, or open the migration window (-c unsignedRecords=accept)',
    recovery: 'never',
  },
  bad_signature: {
    meaning: 'the signature does not verify: changed after signing, or signed with another key',
    fix: 'treat the sender as broken or hostile: check the device and its key file',
    recovery: 'never',
  },
  signer_mismatch: {
    meaning: "the signer put another device's events (a lane reporting as another lane or store)",
    fix: 'a stolen or misconfigured device: check its config and revoke its key if stolen',
    recovery: 'never',
  },
  clock_skew: {
    meaning: "the event's time is more than the tolerance ahead of its arrival",
    fix: "fix the device's time source (edge-client doctor checks it); its later events count",
    recovery: 'never',
  },
  too_old: {
    meaning: 'the event arrived past the late-event horizon, or the item it counts in expired',
    fix: 'none: by design late events do not change reported periods',
    recovery: 'never',
  },
  schema_violation: {
    meaning: "an event that is not this contract's; the detail names the fields",
    fix: 'upgrade or fix the producer the letter names (deviceId)',
    recovery: 'never',
  },
  undecodable: {
    meaning: 'a record that is not a record of this contract (not JSON, not KPL, bad compression)',
    fix: 'find the producer by the stream position; it is not an edge client of this project',
    recovery: 'never',
  },
  oversized_record: {
    meaning: 'a record past the decoding bounds, which no edge client sends',
    fix: 'find the producer by the stream position',
    recovery: 'never',
  },
  aggregate_too_large: {
    meaning:
      'the store slot the events count in reached the 400 KB item limit, or the size its packed bookkeeping may inflate to',
    fix: 'a limit of the design (about 18,000 detections in one store in 15 minutes): see architecture.md',
    recovery: 'never',
  },
};

/** Every reason a record is dead-lettered for. */
export const DEAD_LETTER_REASONS = Object.keys(ADVICE) as readonly PoisonReason[];

export function isDeadLetterReason(value: string): value is PoisonReason {
  return Object.hasOwn(ADVICE, value);
}

/** Whether a replay (or a rebuild) counts a letter of this reason once its cause is fixed. */
export const isRecoverable = (reason: string) => adviceFor(reason).recovery === 'rebuild_after_fix';

/** The reasons a fix can recover: what a replay of a range selects. */
export const RECOVERABLE_REASONS = (): readonly PoisonReason[] =>
  DEAD_LETTER_REASONS.filter(isRecoverable);

export function adviceFor(reason: string): DeadLetterAdvice {
  if (!isDeadLetterReason(reason)) {
    return {
      meaning: `a reason this version does not know (${reason.slice(0, 40)})`,
      fix: 'upgrade the operator tools to the version the processor runs',
      recovery: 'never',
    };
  }
  return ADVICE[reason];
}

export interface ReasonCount {
  readonly reason: string;
  /** Dead-letter items. */
  readonly letters: number;
  /** User records (events) they stand for. */
  readonly records: number;
}

/** Letters and the records they stand for, per reason, most records first. */
export function countByReason(
  letters: readonly { readonly reason: string; readonly count: number }[],
): ReasonCount[] {
  const byReason = new Map<string, { letters: number; records: number }>();
  for (const { reason, count } of letters) {
    const entry = byReason.get(reason) ?? { letters: 0, records: 0 };
    entry.letters += 1;
    entry.records += count;
    byReason.set(reason, entry);
  }
  return [...byReason]
    .map(([reason, n]) => ({ reason, ...n }))
    .sort((a, b) => b.records - a.records || a.reason.localeCompare(b.reason));
}
