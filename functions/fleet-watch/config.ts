import * as z from 'zod';
import { parseEnv } from '#shared/parse-env';
import { TABLES } from '#shared/resources';

/** The watch's environment, validated once at cold start; a bad value names the variable. */
export const FleetWatchConfig = z.object({
  [TABLES.aggregates.envVar]: z.string().min(3).max(255),
  /**
   * Most coverage summaries one run reads (one per store, about 190 bytes each): past it the
   * run judges those it read and logs that it stopped short.
   */
  FLEET_WATCH_MAX_STORES: z.coerce.number().int().min(1).max(200_000).default(50_000),
});

export function loadFleetWatchConfig(env: NodeJS.ProcessEnv = process.env) {
  const data = parseEnv(FleetWatchConfig, env, 'fleet watch');
  return {
    aggregatesTable: data[TABLES.aggregates.envVar],
    maxStores: data.FLEET_WATCH_MAX_STORES,
  };
}
