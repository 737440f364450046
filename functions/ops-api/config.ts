import * as z from 'zod';
import { parseEnv } from '#shared/parse-env';
import { TABLES } from '#shared/resources';

export const OpsApiConfig = z.object({
  [TABLES.deadLetters.envVar]: z.string().min(3).max(255),
});

/** The ops API's environment, validated once at cold start. */
export function loadOpsApiConfig(env: NodeJS.ProcessEnv = process.env) {
  const data = parseEnv(OpsApiConfig, env, 'ops API');
  return { deadLettersTable: data[TABLES.deadLetters.envVar] };
}
