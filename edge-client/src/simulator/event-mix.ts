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
