import * as z from 'zod';
import { loadProcessorConfig } from '#processor';
import { parseEnv } from '#shared/parse-env';
import { TABLES, TELEMETRY_STREAM } from '#shared/resources';

const Name = z.string().min(1).max(255);

export const OpsApiConfig = z.object({
  [TABLES.deadLetters.envVar]: z.string().min(3).max(255),
  [TABLES.pipelineStatus.envVar]: z.string().min(3).max(255),
  [TELEMETRY_STREAM.envVar]: Name,
});

/**
 * The ops API's environment, validated once at cold start: its tables and stream, and the
 * processor's own settings (the aggregates and registry tables, HOURS_SAVED_BASELINES,
 * UNSIGNED_RECORDS, CLOCK_SKEW_TOLERANCE_SECONDS, ...), read by the processor's own
 * `loadProcessorConfig`, so that a replay judges every record as the live processor does.
 */
export function loadOpsApiConfig(env: NodeJS.ProcessEnv = process.env) {
  const data = parseEnv(OpsApiConfig, env, 'ops API');
  return {
    deadLettersTable: data[TABLES.deadLetters.envVar],
    pipelineStatusTable: data[TABLES.pipelineStatus.envVar],
    streamName: data[TELEMETRY_STREAM.envVar],
    processor: loadProcessorConfig(env),
  };
}
export type OpsApiConfigValues = ReturnType<typeof loadOpsApiConfig>;
