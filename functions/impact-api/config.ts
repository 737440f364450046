import * as z from 'zod';
import { parseEnv } from '#shared/parse-env';
import { TABLES } from '#shared/resources';

const TableName = z.string().min(3).max(255);

export const ImpactApiConfig = z.object({
  [TABLES.aggregates.envVar]: TableName,
  [TABLES.registry.envVar]: TableName,
  /** ISO 4217 code of the cents every money figure is in. */
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
});

/** The impact API's environment, validated once at cold start. */
export function loadImpactApiConfig(env: NodeJS.ProcessEnv = process.env) {
  const data = parseEnv(ImpactApiConfig, env, 'impact API');
  return {
    aggregatesTable: data[TABLES.aggregates.envVar],
    registryTable: data[TABLES.registry.envVar],
    currency: data.CURRENCY,
  };
}
