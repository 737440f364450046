import { TABLES, TELEMETRY_STREAM } from '#shared/resources';

/**
 * The environment the handlers see on the embedded stack: the same variables a deployed
 * function gets (table and stream names), plus the AWS SDK's own endpoint settings pointing
 * at the emulators. The credentials are placeholders the emulators accept; they are not keys.
 */
export function localAwsEnv(endpoints: {
  kinesis: string;
  dynamodb: string;
}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    // This machine runs Node 20; the SDK's notice about future Node 22 releases is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // No CloudWatch here: the handlers' embedded-metric-format output would only be noise.
    POWERTOOLS_METRICS_DISABLED: 'true',
    [TABLES.aggregates.envVar]: TABLES.aggregates.localName,
    [TABLES.registry.envVar]: TABLES.registry.localName,
    [TABLES.deadLetters.envVar]: TABLES.deadLetters.localName,
    [TABLES.pipelineStatus.envVar]: TABLES.pipelineStatus.localName,
    [TELEMETRY_STREAM.envVar]: TELEMETRY_STREAM.localName,
    ...LOCAL_VALUATION_ENV,
  };
}

/**
 * Net impact's settings on the embedded stack: the dev stage's (its rate and the plan's
 * monthly total at the quick batching), so the local page shows what a dev deploy would. The
 * CDK's stage config is not imported here; the infra test checks the two are the same.
 */
export const LOCAL_VALUATION_ENV = {
  LOADED_HOURLY_RATE_CENTS: '5000',
  PIPELINE_MONTHLY_COST_CENTS: '424500',
  PIPELINE_COST_SOURCE:
    'plan: reference fleet 10,500 stores, on-demand, 5,000 records / 5 s (npm run plan, 2026-12-02)',
} as const;
