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
  /** What an hour saved is worth, loaded (pay plus overheads), in cents: $50 unless set. */
  LOADED_HOURLY_RATE_CENTS: z.coerce.number().int().min(0).default(5_000),
  /** The fleet's monthly running cost in cents; without it GET /v1/net-impact answers 503. */
  PIPELINE_MONTHLY_COST_CENTS: z.coerce.number().int().min(0).optional(),
  /** Where that figure comes from: `plan: <fleet and run>` or `configured`. */
  PIPELINE_COST_SOURCE: z
    .string()
    .regex(/^(configured|plan: .{1,200})$/, 'must be "configured" or "plan: <fleet and run>"')
    .default('configured'),
});

/** The assumptions net impact rests on, each shown beside its answer. */
export interface Valuation {
  readonly loadedHourlyRateCents: number;
  readonly pipelineMonthlyCostCents: number;
  readonly costSource: 'plan' | 'configured';
  readonly costSourceDetail: string;
}

/** The impact API's environment, validated once at cold start. */
export function loadImpactApiConfig(env: NodeJS.ProcessEnv = process.env) {
  const data = parseEnv(ImpactApiConfig, env, 'impact API');
  return {
    aggregatesTable: data[TABLES.aggregates.envVar],
    registryTable: data[TABLES.registry.envVar],
    currency: data.CURRENCY,
    valuation:
      data.PIPELINE_MONTHLY_COST_CENTS === undefined
        ? undefined
        : ({
            loadedHourlyRateCents: data.LOADED_HOURLY_RATE_CENTS,
            pipelineMonthlyCostCents: data.PIPELINE_MONTHLY_COST_CENTS,
            costSource: data.PIPELINE_COST_SOURCE.startsWith('plan: ') ? 'plan' : 'configured',
            costSourceDetail: data.PIPELINE_COST_SOURCE,
          } satisfies Valuation),
  };
}
