import type { DetectionCategory, Resolution } from '../contract/index.js';

/** The simulated fleet's mix of events, live and backfilled alike: weights and ranges. */
export const CATEGORY_MIX: Record<DetectionCategory, number> = {
  missed_scan: 40,
  basket_under: 20,
  ticket_switch: 15,
  walkout: 10,
  shelf_sweep: 8,
  other: 7,
};
export const LOSS_RANGE: Record<DetectionCategory, [number, number]> = {
  missed_scan: [199, 3_000],
  basket_under: [300, 5_000],
  ticket_switch: [500, 8_000],
  walkout: [2_000, 40_000],
  shelf_sweep: [5_000, 60_000],
  other: [100, 2_000],
};
export const RESOLUTION_MIX: Record<Resolution, number> = {
  automated: 55,
  assisted: 25,
  manual: 20,
};
export const MINUTES_RANGE: Record<Resolution, [number, number]> = {
  automated: [0, 5],
  assisted: [10, 45],
  manual: [40, 160],
};

/** The detection model versions the simulated fleet runs: 4.2.1 rolling out over 4.1.0. */
export const MODEL_VERSIONS = {
  previous: { name: 'shrink-vision', version: '4.1.0' },
  current: { name: 'shrink-vision', version: '4.2.1' },
} as const;

type Model = (typeof MODEL_VERSIONS)[keyof typeof MODEL_VERSIONS];
type Lane = { readonly storeId: string; readonly laneId: string };

const numberOf = (id: string) => Number(/(\d+)$/.exec(id)?.[1] ?? 0);

/**
 * A lane's model version, fixed by its ids: every third store (store-0003, store-0006, ...)
 * runs both, 4.1.0 on its odd lanes and 4.2.1 on its even ones; store-0001, store-0004, ...
 * run 4.2.1 only, and the rest 4.1.0 only.
 */
export function laneModel(lane: Lane): Model {
  const store = numberOf(lane.storeId) % 3;
  if (store === 0) {
    return numberOf(lane.laneId) % 2 === 1 ? MODEL_VERSIONS.previous : MODEL_VERSIONS.current;
  }
  return store === 1 ? MODEL_VERSIONS.current : MODEL_VERSIONS.previous;
}

/**
 * How a lane's alerts resolve: 4.2.1 raises fewer false positives than 4.1.0, and lane-02 of
 * every fourth store (store-0001, store-0005, ...) has a camera that wants re-aiming, so most
 * of its alerts are false.
 */
export function outcomeMix(
  lane: Lane,
  model: Model,
): Readonly<Record<'recovered' | 'confirmed_loss' | 'false_positive', number>> {
  if (numberOf(lane.storeId) % 4 === 1 && lane.laneId === 'lane-02') {
    return { recovered: 10, confirmed_loss: 10, false_positive: 80 };
  }
  return model === MODEL_VERSIONS.previous
    ? { recovered: 40, confirmed_loss: 25, false_positive: 35 }
    : { recovered: 45, confirmed_loss: 30, false_positive: 25 };
}
