import { type ArrivedStatus, mergeStatuses, type StoreHealth } from '#domain/fleet-health';
import type { FleetHealthStore, Logger } from '#domain/ports';
import type { StoreInfo } from '#domain/registry-types';

/** A status routed to its store (as the registry has it). */
export interface StoreStatus extends ArrivedStatus {
  readonly store: StoreInfo;
}

/** Attempts per store when another writer keeps getting there first. */
const ATTEMPTS = 3;

/**
 * Folds a batch's statuses into their stores' health items (fleet-health.ts): read, merge,
 * and write only what changed materially or is due a refresh, each write conditional on the
 * version read (a conflict re-reads and merges again). Best effort: fleet health never counts
 * in the figures, so a failure is logged and the batch goes on; the device's next status
 * (minutes later) says the same again.
 */
export async function commitHealth(
  statuses: readonly StoreStatus[],
  store: FleetHealthStore,
  logger: Logger,
  now: number,
): Promise<{ writes: number }> {
  if (statuses.length === 0) return { writes: 0 };
  // Each store's statuses, with the store as the registry has it (one pass).
  const byStore = new Map<string, { info: StoreInfo; mine: StoreStatus[] }>();
  for (const s of statuses) {
    const group = byStore.get(s.store.storeId);
    if (group === undefined) byStore.set(s.store.storeId, { info: s.store, mine: [s] });
    else group.mine.push(s);
  }
  let writes = 0;
  try {
    let stored = await store.load([...byStore.values()].map((g) => g.info));
    for (const [storeId, { info, mine }] of byStore) {
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const merged = mergeStatuses(stored.get(storeId), info, mine, now);
        if (!merged.write) break;
        const result = await store.put(merged.next);
        writes++;
        if (result === 'ok') break;
        stored = new Map<string, StoreHealth>([...stored, ...(await store.load([info]))]);
      }
    }
  } catch (error) {
    logger.warn('fleet health not written; the batch is unaffected', {
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
  }
  return { writes };
}
