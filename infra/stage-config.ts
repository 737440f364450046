import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

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
}

export const STAGE_CONFIG: Record<StageName, StageConfig> = {
  dev: {
    name: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    logRetention: RetentionDays.ONE_WEEK,
    onFailureRetention: Duration.days(4),
    archiveExpiry: Duration.days(30),
  },
  prod: {
    name: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    logRetention: RetentionDays.ONE_YEAR,
    onFailureRetention: Duration.days(14),
  },
};

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
