import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type EventSourceBatching, FLEET_BATCHING, PROCESSOR_EVENT_SOURCE } from '#processor';
import type { EdgeRateLimitSettings } from './constructs/edge-rate-limits.js';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** What differs between stages: prod keeps its data and logs; dev cleans up after itself. */
export interface StageConfig {
  readonly name: StageName;
  readonly removalPolicy: RemovalPolicy;
  /** DynamoDB deletion protection (a deploy cannot delete a table with data by accident). */
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  readonly onFailureRetention: Duration;
  /** Delete raw-archive objects after this long; prod keeps them. */
  readonly archiveExpiry?: Duration;
  /**
   * Per-caller limits at CloudFront (AWS WAF rate-based rules). Sized against the stage
   * throttle (API_THROTTLE, 50/s = 15,000 per 5 minutes for everyone together): one token may
   * use a tenth of it (5/s sustained; a dashboard view makes about six requests), one source
   * IP, which an office's users may share behind NAT, a fifth.
   */
  readonly edgeRateLimits: EdgeRateLimitSettings;
  /**
   * How the processor's event source gathers a batch. Prod takes the fleet's batching (10,000
   * records or 60 s: a fraction of the write units, figures within a minute or two); dev keeps
   * 5,000 or 5 s, like the local stack, for quick feedback. Context `batchSize` and
   * `batchWindowSeconds` override either (`batchingFromContext`).
   */
  readonly batching: EventSourceBatching;
  /**
   * What net impact (GET /v1/net-impact) subtracts as the pipeline's running cost: a
   * configured monthly figure if the stage has one, otherwise the plan's monthly total for the
   * reference fleet at the stage's batching, as docs/cost-and-capacity.md records it.
   */
  readonly valuation: StageValuation;
}

/** The impact function's net-impact settings (its LOADED_HOURLY_RATE_CENTS and PIPELINE_* env). */
export interface StageValuation {
  /** A loaded hour (pay plus overheads), cents. */
  readonly loadedHourlyRateCents: number;
  /** A monthly running cost someone measured or budgeted, cents; overrides the plan's. */
  readonly configuredMonthlyCostCents?: number;
}

/**
 * The plan's monthly totals (`npm run plan`, 2026-12-02, reference fleet of 10,500 stores,
 * on-demand DynamoDB and Kinesis, the stack's default), by batching. Not computed at synth:
 * the plan reads measured figures and command-line settings, so its result is taken with its
 * provenance rather than re-derived here.
 */
export const PLAN_MONTHLY_COST = {
  fleet: {
    monthlyCents: 243_100,
    source:
      'plan: reference fleet 10,500 stores, on-demand, 10,000 records / 60 s (npm run plan, 2026-12-02)',
  },
  quick: {
    monthlyCents: 424_500,
    source:
      'plan: reference fleet 10,500 stores, on-demand, 5,000 records / 5 s (npm run plan, 2026-12-02)',
  },
} as const;

/** The impact function's environment for net impact, from a stage's valuation. */
export function valuationEnvironment(
  stage: Pick<StageConfig, 'valuation' | 'batching'>,
): Record<string, string> {
  const { loadedHourlyRateCents, configuredMonthlyCostCents } = stage.valuation;
  const plan =
    stage.batching.batchSize === FLEET_BATCHING.batchSize &&
    stage.batching.maxBatchingWindowMs === FLEET_BATCHING.maxBatchingWindowMs
      ? PLAN_MONTHLY_COST.fleet
      : PLAN_MONTHLY_COST.quick;
  return {
    LOADED_HOURLY_RATE_CENTS: String(loadedHourlyRateCents),
    ...(configuredMonthlyCostCents === undefined
      ? {
          PIPELINE_MONTHLY_COST_CENTS: String(plan.monthlyCents),
          PIPELINE_COST_SOURCE: plan.source,
        }
      : {
          PIPELINE_MONTHLY_COST_CENTS: String(configuredMonthlyCostCents),
          PIPELINE_COST_SOURCE: 'configured',
        }),
  };
}

const QUICK_BATCHING: EventSourceBatching = {
  batchSize: PROCESSOR_EVENT_SOURCE.batchSize,
  maxBatchingWindowMs: PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs,
};

/** The per-caller limits both stages use today (see `StageConfig.edgeRateLimits`). */
export const EDGE_RATE_LIMITS: EdgeRateLimitSettings = {
  windowSeconds: 300,
  perSourceIp: 3_000,
  perToken: 1_500,
};

export const STAGE_CONFIG: Record<StageName, StageConfig> = {
  dev: {
    name: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    logRetention: RetentionDays.ONE_WEEK,
    onFailureRetention: Duration.days(4),
    archiveExpiry: Duration.days(30),
    edgeRateLimits: EDGE_RATE_LIMITS,
    batching: QUICK_BATCHING,
    valuation: { loadedHourlyRateCents: 5_000 },
  },
  prod: {
    name: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    logRetention: RetentionDays.ONE_YEAR,
    onFailureRetention: Duration.days(14),
    edgeRateLimits: EDGE_RATE_LIMITS,
    batching: FLEET_BATCHING,
    valuation: { loadedHourlyRateCents: 5_000 },
  },
};

/** The CloudFormation stack the CDK app deploys for a stage (`npm run smoke -- --stage` finds it by). */
export const stackNameOf = (stage: StageName): string => `StoreFloorImpact-${stage}`;

/** The stage named by `-c stage=...` (default dev); anything else is an error naming the choices. */
export function stageFromContext(value: unknown): StageConfig {
  const name = value ?? 'dev';
  if (typeof name !== 'string' || !(STAGES as readonly string[]).includes(name)) {
    throw new Error(
      `context "stage" must be one of ${STAGES.join(', ')}; got ${JSON.stringify(name)}`,
    );
  }
  return STAGE_CONFIG[name as StageName];
}

/**
 * The stage's batching with context `batchSize` (1-10,000 records, Lambda's range for a
 * Kinesis source) and `batchWindowSeconds` (0-300) applied; anything else is an error naming
 * the option.
 */
export function batchingFromContext(
  stage: StageConfig,
  get: (name: string) => unknown,
): EventSourceBatching {
  const option = (name: string, min: number, max: number): number | undefined => {
    const raw = get(name);
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(
        `context "${name}" must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}`,
      );
    }
    return value;
  };
  const batchSize = option('batchSize', 1, 10_000);
  const windowSeconds = option('batchWindowSeconds', 0, 300);
  return {
    batchSize: batchSize ?? stage.batching.batchSize,
    maxBatchingWindowMs:
      windowSeconds === undefined ? stage.batching.maxBatchingWindowMs : windowSeconds * 1_000,
  };
}
