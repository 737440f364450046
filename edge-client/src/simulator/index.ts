export {
  type BackfillOptions,
  CLOSES_HOUR,
  generateBackfill,
  localDateOf,
  localHourOf,
  OPENS_HOUR,
} from './backfill.js';
export { defineFleet, type SimFleet, type SimStore, TEAMS } from './fleet.js';
export { FleetSimulator, type SimulatorOptions } from './fleet-simulator.js';
export {
  addTree,
  emptyTruth,
  type GroundTruth,
  type HoursTruth,
  type ShrinkTruth,
} from './ground-truth.js';
export { seededRandom } from './random.js';
export { type EventSink, type RunOptions, runSimulation } from './run-simulation.js';
export {
  type DueStatus,
  STATUS_LAG_MS,
  StatusSchedule,
  type StatusScheduleOptions,
  type StatusSender,
} from './status-schedule.js';
