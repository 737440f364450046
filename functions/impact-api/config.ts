import * as z from 'zod';
import { TABLES } from '../shared/resources.js';

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
  const parsed = ImpactApiConfig.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid impact API configuration: ${problems}`);
  }
  return {
    aggregatesTable: parsed.data[TABLES.aggregates.envVar],
    registryTable: parsed.data[TABLES.registry.envVar],
    currency: parsed.data.CURRENCY,
  };
}
