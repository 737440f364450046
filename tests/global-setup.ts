import { ensureDashboard } from '../infra/dashboard/build.js';

/**
 * Builds the dashboard once before any test file runs, so that test files starting embedded
 * stacks in parallel processes find it built instead of racing to build it.
 */
export default async function setup(): Promise<void> {
  await ensureDashboard();
}
