import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { COVERAGE_PARTITION } from '../../functions/adapters/dynamodb-fleet-health.js';
import { FLEET_WATCH_METRICS, FLEET_WATCH_SERVICE } from '../../functions/fleet-watch/metrics.js';
import { loadImpactApiConfig } from '../../functions/impact-api/config.js';
import { docsPage } from '../../functions/impact-api/openapi.js';
import { ROUTES, routeKeyOf, routesOf } from '../../functions/impact-api/routes.js';
import { MCP_PATH, PROTECTED_RESOURCE_PATHS } from '../../functions/mcp/protected-resource.js';
import { PROCESSOR_EVENT_SOURCE } from '../../functions/processor/event-source.js';
import { PROCESSOR_METRICS, PROCESSOR_SERVICE } from '../../functions/processor/metrics.js';
import { createMetrics } from '../../functions/shared/observability.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { API_CSP, API_WRITE_PATHS, SITE_CSP } from '../../infra/cdk/constructs/dashboard-site.js';
import { FUNCTION_SIZING } from '../../infra/cdk/constructs/function-defaults.js';
import { OPS_STREAM_ACTIONS } from '../../infra/cdk/constructs/ops-api.js';
import {
  PLAN_MONTHLY_COST,
  STAGE_CONFIG,
  stageFromContext,
  valuationEnvironment,
} from '../../infra/cdk/stage-config.js';
import { TelemetryPipelineStack } from '../../infra/cdk/telemetry-pipeline-stack.js';
import { LOCAL_VALUATION_ENV } from '../../infra/local/local-env.js';

let template: Template;
/** The MCP function's routes: `/mcp` behind the authorizer, its metadata public. */
const MCP_ROUTE_KEYS = [
  ...['POST', 'GET', 'DELETE'].map((m) => `${m} ${MCP_PATH}`),
  ...PROTECTED_RESOURCE_PATHS.map((path) => `GET ${path}`),
];
let assemblyDir: string;

beforeAll(() => {
  const app = new App();
  template = Template.fromStack(new TelemetryPipelineStack(app, 'Test'));
  assemblyDir = app.synth().directory;
});

type Resource = { Properties: Record<string, unknown> };
const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];
/** Resources of this project's constructs, without aws-cdk-lib's BucketDeployment singleton. */
const ours = (type: string) =>
  Object.entries(template.findResources(type))
    .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
    .map(([, r]) => r) as Resource[];

/** The logical id of the ops API's function. */
const opsFunctionId = () => {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
    id.startsWith('OpsApi'),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

type Statement = { Action: string | string[]; Resource: unknown };
const actionsOf = (s: Statement) => [s.Action].flat();
/** Actions that write or change a table. */
const WRITES = /Put|Update|Delete|Write|Create|Restore|Import/;

/** The IAM statements of a function's role (this project's policies). */
function statementsOf(t: Template, fn: Resource): Statement[] {
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.entries(t.findResources('AWS::IAM::Policy'))
    .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
    .map(([, p]) => p as Resource)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The logical ids of the four tables. */
function tableIdsOf(t: Template) {
  const ids = Object.keys(t.findResources('AWS::DynamoDB::GlobalTable'));
  const find = (part: string) => ids.find((id) => id.includes(part)) as string;
  return {
    aggregates: find('Aggregates'),
    registry: find('Registry'),
    deadLetters: find('DeadLetters'),
    pipelineStatus: find('PipelineStatus'),
  };
}

describe('Stack: TelemetryPipelineStack', () => {
  it('creates an on-demand, KMS-encrypted telemetry stream with seven days of retention', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 168,
    });
  });

  it('creates every table from the shared definitions: on-demand, encrypted, point-in-time recovery, time to live', () => {
    const tables = resources('AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(Object.keys(TABLES).length);
    for (const def of Object.values(TABLES)) {
      const keys = [
        { AttributeName: def.partitionKey, KeyType: 'HASH' },
        ...('sortKey' in def ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' }] : []),
      ];
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: keys,
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        // Home items expire (home-expiry.ts): the aggregates table deletes them by expiresAt.
        ...('timeToLiveAttribute' in def
          ? {
              TimeToLiveSpecification: {
                AttributeName: def.timeToLiveAttribute,
                Enabled: true,
              },
            }
          : {}),
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      });
    }
  });

  it('keeps data in prod: tables, stream and user pool retained, tables deletion-protected', () => {
    const prod = Template.fromStack(
      new TelemetryPipelineStack(new App(), 'Prod', { stage: STAGE_CONFIG.prod }),
    );
    for (const type of [
      'AWS::DynamoDB::GlobalTable',
      'AWS::Kinesis::Stream',
      'AWS::Cognito::UserPool',
    ]) {
      for (const r of Object.values(prod.findResources(type)))
        expect(r.DeletionPolicy, type).toBe('Retain');
    }
    prod.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
    });
    prod.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('cleans up after itself in dev', () => {
    for (const r of Object.values(template.findResources('AWS::DynamoDB::GlobalTable')))
      expect(r.DeletionPolicy).toBe('Delete');
    for (const table of resources('AWS::DynamoDB::GlobalTable')) {
      const replicas = table.Properties.Replicas as { DeletionProtectionEnabled?: boolean }[];
      expect(replicas.every((r) => r.DeletionProtectionEnabled !== true)).toBe(true);
    }
  });

  it('names the stage choices when the stage context is wrong', () => {
    expect(stageFromContext(undefined).name).toBe('dev');
    expect(() => stageFromContext('staging')).toThrow(/dev, prod/);
  });

  it.each([
    ['IteratorAge', 60_000, 5],
    ['Errors', 1, 1],
    ['Throttles', 1, 1],
    ['ApproximateNumberOfMessagesVisible', 1, 1],
    ['RecordsDeadLettered', 1, 1],
    ['UnsignedRecords', 1, 1],
    ['DevicesBacklogged', 50, 3],
    ['DeviceClockSkew', 900, 1],
    ['5xx', 1, 1],
    ['Latency', 2_000, 3],
  ])(
    'alarms on %s at %d over %d period(s), to the alarm topic',
    (metricName, threshold, periods) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Threshold: threshold,
        EvaluationPeriods: periods,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('OperationsAlarms') }],
      });
    },
  );

  it("alarms on dead letters by the processor's own RecordsDeadLettered metric: its namespace, service dimension and unit", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'StoreFloorImpact',
      MetricName: 'RecordsDeadLettered',
      Dimensions: [{ Name: 'service', Value: 'processor' }],
      Unit: 'Count',
      Statistic: 'Sum',
      Period: 300,
    });
  });

  it.each([
    [PROCESSOR_METRICS.devicesBacklogged, 'Count', 'Sum', MetricUnit.Count],
    [PROCESSOR_METRICS.deviceClockSkew, 'Seconds', 'Maximum', MetricUnit.Seconds],
  ])(
    'alarms on fleet health by the metric %s exactly as Powertools writes it (unit %s, %s)',
    (metricName, unit, statistic, powertoolsUnit) => {
      const metrics = createMetrics(PROCESSOR_SERVICE);
      metrics.addMetric(metricName, powertoolsUnit, 1);
      const [emitted] = metrics.serializeMetrics()._aws.CloudWatchMetrics;

      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: emitted?.Namespace,
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'processor' }],
        Unit: unit,
        Statistic: statistic,
        Period: 300,
      });
      expect(emitted?.Metrics).toEqual([{ Name: metricName, Unit: unit }]);
    },
  );

  it('selects the dead-letter metric exactly as Powertools writes it for the processor', () => {
    // Prepare: the processor's metrics instance, as its handler makes it and adds to it.
    const metrics = createMetrics(PROCESSOR_SERVICE);
    metrics.addMetric(PROCESSOR_METRICS.recordsDeadLettered, MetricUnit.Count, 1);

    // Act
    const [emitted] = metrics.serializeMetrics()._aws.CloudWatchMetrics;

    // Assess
    const alarm = resources('AWS::CloudWatch::Alarm').find(
      (a) => a.Properties.MetricName === PROCESSOR_METRICS.recordsDeadLettered,
    );
    expect(alarm?.Properties).toMatchObject({
      Namespace: emitted?.Namespace,
      Dimensions: emitted?.Dimensions[0]?.map((name) => ({ Name: name, Value: PROCESSOR_SERVICE })),
      Unit: emitted?.Metrics.find((m) => m.Name === PROCESSOR_METRICS.recordsDeadLettered)?.Unit,
    });
  });

  it('alarms on SilentStoreDuringOpenHours at 1 store for 2 periods of 5 minutes, missing data breaching, to the alarm topic', () => {
    // Prepare: the metric exactly as the watch's Powertools instance writes it.
    const metrics = createMetrics(FLEET_WATCH_SERVICE);
    metrics.addMetric(FLEET_WATCH_METRICS.silentStores, MetricUnit.Count, 1);
    const [emitted] = metrics.serializeMetrics()._aws.CloudWatchMetrics;

    // Act
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(
      ([, a]) => a.Properties.MetricName === FLEET_WATCH_METRICS.silentStores,
    );

    // Assess
    expect(alarms).toHaveLength(1);
    const [logicalId, alarm] = alarms[0] as [string, Resource];
    expect(logicalId).toMatch(/^OperationsSilentStoreDuringOpenHours[0-9A-F]{8}$/);
    expect(alarm.Properties).toMatchObject({
      Namespace: emitted?.Namespace,
      Dimensions: [{ Name: 'service', Value: FLEET_WATCH_SERVICE }],
      Unit: emitted?.Metrics[0]?.Unit,
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      // A watch that stopped running must not look like a healthy fleet.
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^OperationsAlarms[0-9A-F]{8}$/) }],
    });
    expect(emitted?.Dimensions).toEqual([['service']]);
  });

  it('runs the fleet watch every 5 minutes, without retrying a failed run', () => {
    const [fnId] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
      id.startsWith('FleetWatch'),
    );
    expect(fnId).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 0,
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
  });

  it('lets the fleet watch Query the coverage partition of the aggregates table and nothing else', () => {
    // Prepare
    const ids = tableIdsOf(template);
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('FleetWatch'),
    )?.[1] as Resource;
    expect(fn).toBeDefined();

    // Act
    const statements = statementsOf(template, fn) as (Statement & {
      Condition?: unknown;
    })[];
    const data = statements.filter((s) => actionsOf(s).some((a) => !/^(logs|xray):/.test(a)));

    // Assess
    expect(data).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': [ids.aggregates, 'Arn'] },
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [COVERAGE_PARTITION] },
        },
      },
    ]);
    expect(COVERAGE_PARTITION).toBe('FLEETCOV');
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env[TABLES.aggregates.envVar]).toEqual({ Ref: ids.aggregates });
    expect(fn.Properties).toMatchObject({
      MemorySize: FUNCTION_SIZING['fleet-watch'].memoryMb,
      Timeout: FUNCTION_SIZING['fleet-watch'].timeoutSeconds,
      ReservedConcurrentExecutions: 1,
    });
  });

  it('parses no log text for its alarms (no log metric filters)', () => {
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  it('alarms on DynamoDB throttling of every table, and has an operations dashboard', () => {
    const throttleAlarms = resources('AWS::CloudWatch::Alarm').filter(
      (a) => a.Properties.MetricName === 'ThrottledRequests',
    );
    expect(throttleAlarms).toHaveLength(Object.keys(TABLES).length);
    expect(resources('AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });

  it('names each table throttling alarm after the table it watches, not by position', () => {
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(
      ([, a]) => a.Properties.MetricName === 'ThrottledRequests',
    );
    expect(alarms).toHaveLength(Object.keys(TABLES).length);
    for (const [logicalId, alarm] of alarms) {
      const [dimension] = alarm.Properties.Dimensions as { Value: { Ref: string } }[];
      const table = dimension?.Value.Ref.match(/^Tables([A-Za-z]+)[0-9A-F]{8}$/)?.[1];
      expect(table, logicalId).toBeDefined();
      expect(logicalId).toMatch(new RegExp(`^OperationsDynamoDbThrottles${table}[0-9A-F]{8}$`));
    }
  });

  it('encrypts the alarm topic with a rotating key CloudWatch may use, TLS only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('maps the stream to the processor with bisect, partial batch responses, bounded retries and an SQS on-failure destination', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: PROCESSOR_EVENT_SOURCE.batchSize,
      MaximumBatchingWindowInSeconds: PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs / 1000,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: PROCESSOR_EVENT_SOURCE.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: PROCESSOR_EVENT_SOURCE.maximumRecordAgeMs / 1000,
      ParallelizationFactor: 1,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProcessorOnFailure'), 'Arn'] },
        },
      },
    });
  });

  it('encrypts the on-failure queue and refuses non-TLS access to it', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('runs every function on Node.js 22 and arm64, traced by X-Ray', () => {
    const functions = ours('AWS::Lambda::Function');
    expect(functions).toHaveLength(6);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('sizes each function as measured and caps its concurrency', () => {
    for (const [name, sizing] of Object.entries(FUNCTION_SIZING)) {
      const matching = resources('AWS::Lambda::Function').filter(
        (fn) =>
          fn.Properties.MemorySize === sizing.memoryMb &&
          fn.Properties.Timeout === sizing.timeoutSeconds &&
          fn.Properties.ReservedConcurrentExecutions === sizing.reservedConcurrency,
      );
      expect(matching, name).toHaveLength(1);
    }
    // The processor's cap leaves room for every shard of a 40-shard stream.
    expect(FUNCTION_SIZING.processor.reservedConcurrency).toBeGreaterThanOrEqual(
      40 * PROCESSOR_EVENT_SOURCE.parallelizationFactor,
    );
  });

  it('has no local sign-in route, and /v1/regions behind the authorizer', () => {
    const keys = resources('AWS::ApiGatewayV2::Route').map((r) => String(r.Properties.RouteKey));
    expect(keys).toContain('GET /v1/regions');
    expect(keys.filter((k) => k.includes('/local'))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('/local/sign-in');
  });

  it('requires a Cognito JWT on every API route but the documentation', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: Match.anyValue(), Audience: Match.anyValue() },
    });
    const routes = resources('AWS::ApiGatewayV2::Route');
    // ROUTES, and the MCP function's own (tests/infra/mcp-endpoint.test.ts).
    const apiRoutes = routes.filter((r) => !MCP_ROUTE_KEYS.includes(String(r.Properties.RouteKey)));
    expect(apiRoutes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    expect(routes).toHaveLength(ROUTES.length + MCP_ROUTE_KEYS.length);
    for (const route of apiRoutes) {
      const definition = ROUTES.find((r) => `${r.method} ${r.path}` === route.Properties.RouteKey);
      expect(route.Properties.AuthorizationType, String(route.Properties.RouteKey)).toBe(
        definition?.auth ? 'JWT' : 'NONE',
      );
    }
    expect(
      routes
        .filter((r) => r.Properties.AuthorizationType === 'NONE')
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(
      [
        'GET /docs',
        'GET /openapi.json',
        ...PROTECTED_RESOURCE_PATHS.map((path) => `GET ${path}`),
      ].sort(),
    );
  });

  it('routes the ops routes to a function of their own, behind the same JWT authorizer', () => {
    // Prepare
    const opsKeys: string[] = routesOf('ops-api').map(routeKeyOf);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const opsFunction = opsFunctionId();
    const [authorizer] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    // Act
    const targetOf = (route: Resource) => {
      const target = JSON.stringify(route.Properties.Target);
      const integration = Object.entries(integrations).find(([id]) => target.includes(id));
      return JSON.stringify(integration?.[1]);
    };
    // Assess
    expect(opsKeys).toEqual([
      'GET /v1/ops/dead-letters',
      'GET /v1/ops/dead-letter',
      'POST /v1/ops/dead-letters/replay',
      'GET /v1/ops/pipeline-status',
    ]);
    for (const key of opsKeys) {
      const route = routes.find((r) => r.Properties.RouteKey === key);
      expect(route, key).toBeDefined();
      expect(route?.Properties).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizer },
      });
      expect(targetOf(route as Resource), key).toContain(opsFunction);
    }
    // No other route reaches the ops function.
    for (const route of routes.filter((r) => !opsKeys.includes(String(r.Properties.RouteKey)))) {
      expect(targetOf(route), String(route.Properties.RouteKey)).not.toContain(opsFunction);
    }
  });

  it('gives the ops function exactly what replay and status need: the stream reads, the tables as the processor uses them', () => {
    // Prepare
    const ids = tableIdsOf(template);
    const stream = Object.keys(template.findResources('AWS::Kinesis::Stream'))[0] as string;
    const fn = template.findResources('AWS::Lambda::Function')[opsFunctionId()] as Resource;
    // Act
    const statements = statementsOf(template, fn);
    const kinesis = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kinesis:')));
    const dynamodb = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const on = (table: string) =>
      dynamodb.filter((s) => JSON.stringify(s.Resource).includes(table)).flatMap(actionsOf);
    // Assess: the stream, read back by position and listed, and nothing else of it.
    expect(kinesis.flatMap(actionsOf).sort()).toEqual([...OPS_STREAM_ACTIONS].sort());
    for (const s of kinesis) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [stream, 'Arn'] });
    }
    // No KMS statement: the stream is under the AWS-managed key, whose use Kinesis grants.
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
    // The aggregates and the dead letters are read and written (a replay commits as the
    // processor does and marks the letters); the registry and the shard status only read.
    for (const table of [ids.aggregates, ids.deadLetters]) {
      expect(on(table), table).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']),
      );
    }
    for (const table of [ids.registry, ids.pipelineStatus]) {
      expect(on(table), table).toEqual(expect.arrayContaining(['dynamodb:GetItem']));
      expect(
        on(table).filter((a) => WRITES.test(a)),
        table,
      ).toEqual([]);
    }
    expect(dynamodb.length).toBeGreaterThan(0);
    for (const s of dynamodb) {
      expect(Object.values(ids).some((t) => JSON.stringify(s.Resource).includes(t))).toBe(true);
    }
    expect(
      statements.flatMap(actionsOf).filter((a) => !/^(kinesis|dynamodb|logs|xray):/.test(a)),
    ).toEqual([]);
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({
      [TABLES.deadLetters.envVar]: { Ref: ids.deadLetters },
      [TABLES.aggregates.envVar]: { Ref: ids.aggregates },
      [TABLES.registry.envVar]: { Ref: ids.registry },
      [TABLES.pipelineStatus.envVar]: { Ref: ids.pipelineStatus },
      [TELEMETRY_STREAM.envVar]: { Ref: stream },
    });
  });

  it("gives the ops function the processor's own settings, whatever they are set to", () => {
    // Prepare: a stack whose processor settings differ from the defaults.
    const baselines = JSON.stringify({ default: 30, classes: { 'disk-full': 45 } });
    const custom = Template.fromStack(
      new TelemetryPipelineStack(new App(), 'Settings', {
        hoursSavedBaselines: baselines,
        unsignedRecords: 'accept',
      }),
    );
    const envOf = (prefix: string) => {
      const fn = Object.entries(custom.findResources('AWS::Lambda::Function')).find(([id]) =>
        id.startsWith(prefix),
      )?.[1] as Resource;
      return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    };
    // Act
    const processor = envOf('Processor');
    const ops = envOf('OpsApi');
    // Assess
    expect(processor).toMatchObject({
      HOURS_SAVED_BASELINES: baselines,
      UNSIGNED_RECORDS: 'accept',
    });
    for (const key of ['HOURS_SAVED_BASELINES', 'UNSIGNED_RECORDS']) {
      expect(ops[key], key).toBe(processor[key]);
    }
  });

  it('sizes the ops function for a replay of 100 letters inside the HTTP API timeout', () => {
    const fn = template.findResources('AWS::Lambda::Function')[opsFunctionId()] as Resource;
    expect(fn.Properties).toMatchObject({
      MemorySize: FUNCTION_SIZING['ops-api'].memoryMb,
      Timeout: FUNCTION_SIZING['ops-api'].timeoutSeconds,
      ReservedConcurrentExecutions: FUNCTION_SIZING['ops-api'].reservedConcurrency,
    });
    // API Gateway's HTTP API integrations time out at 30 s.
    expect(FUNCTION_SIZING['ops-api'].timeoutSeconds).toBeLessThan(30);
  });

  it('keeps the impact function off the stream, the dead-letter table and every write', () => {
    const ids = tableIdsOf(template);
    const [impactId, impact] = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([id]) => id.startsWith('ImpactApi'),
    ) as [string, Resource];
    const statements = statementsOf(template, impact);
    expect(statements.length, impactId).toBeGreaterThan(0);
    expect(JSON.stringify(statements)).not.toContain(ids.deadLetters);
    expect(JSON.stringify(statements)).not.toContain(ids.pipelineStatus);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('kinesis:'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('dynamodb:') && WRITES.test(a))).toEqual([]);
  });

  it("gives the impact function net impact's rate and the plan's running cost, which its config reads", () => {
    const [, impact] = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([id]) => id.startsWith('ImpactApi'),
    ) as [string, Resource];
    const env = (impact.Properties.Environment as { Variables: Record<string, string> }).Variables;
    // The default stage is dev, at the quick batching: the plan's figure for it.
    expect(env).toMatchObject({
      LOADED_HOURLY_RATE_CENTS: '5000',
      PIPELINE_MONTHLY_COST_CENTS: String(PLAN_MONTHLY_COST.quick.monthlyCents),
      PIPELINE_COST_SOURCE: PLAN_MONTHLY_COST.quick.source,
    });
    const config = loadImpactApiConfig({
      ...env,
      [TABLES.aggregates.envVar]: 'aggregates',
      [TABLES.registry.envVar]: 'registry',
    });
    expect(config.valuation).toEqual({
      loadedHourlyRateCents: 5_000,
      pipelineMonthlyCostCents: 424_500,
      costSource: 'plan',
      costSourceDetail: PLAN_MONTHLY_COST.quick.source,
    });
    // A configured figure replaces the plan's and says so.
    expect(
      valuationEnvironment({
        ...STAGE_CONFIG.prod,
        valuation: { loadedHourlyRateCents: 6_000, configuredMonthlyCostCents: 150_000 },
      }),
    ).toEqual({
      LOADED_HOURLY_RATE_CENTS: '6000',
      PIPELINE_MONTHLY_COST_CENTS: '150000',
      PIPELINE_COST_SOURCE: 'configured',
    });
    expect(valuationEnvironment(STAGE_CONFIG.prod).PIPELINE_MONTHLY_COST_CENTS).toBe('243100');
    // The embedded stack shows what a dev deploy would.
    expect(LOCAL_VALUATION_ENV).toEqual(valuationEnvironment(STAGE_CONFIG.dev));
  });

  it('throttles the API stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: Match.anyValue(),
        ThrottlingBurstLimit: Match.anyValue(),
      },
    });
  });

  it('does not let users write their own role or store scope', () => {
    const clients = resources('AWS::Cognito::UserPoolClient');
    expect(clients).toHaveLength(1);
    const writable = clients[0]?.Properties.WriteAttributes as string[];
    expect(writable.some((a) => a.startsWith('custom:'))).toBe(false);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it("gives the user pool an automation's device as an attribute users cannot write", () => {
    // Prepare
    const [pool] = resources('AWS::Cognito::UserPool');
    const [client] = resources('AWS::Cognito::UserPoolClient');

    // Assess: custom:device exists, the app client reads it and cannot write it.
    const schema = pool?.Properties.Schema as { Name: string; Mutable: boolean }[];
    expect(schema.map((a) => a.Name)).toEqual(
      expect.arrayContaining(['role', 'stores', 'regions', 'device']),
    );
    expect(client?.Properties.ReadAttributes).toContain('custom:device');
    expect(client?.Properties.WriteAttributes).not.toContain('custom:device');
  });

  it('grants data access by action lists, never a wildcard action', () => {
    for (const policy of resources('AWS::IAM::Policy')) {
      const statements = (
        policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }
      ).Statement;
      for (const s of statements) {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
      }
    }
  });

  it('allows Resource "*" only for the X-Ray actions tracing needs (they have no resource ARNs)', () => {
    const everywhere = ours('AWS::IAM::Policy').flatMap((policy) =>
      (
        policy.Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        }
      ).Statement.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat()),
    );
    expect(everywhere.length).toBeGreaterThan(0);
    expect(new Set(everywhere)).toEqual(
      new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );
  });

  it('bundles every function under 250 KB but the ops API (270 KB) and MCP (500 KB), the AWS SDK coming from the runtime', () => {
    const bundles = readdirSync(assemblyDir)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(assemblyDir, d, 'index.mjs'))
      .filter((f) => existsSync(f));
    expect(bundles).toHaveLength(6);
    // The MCP function carries the MCP SDK (and its JSON Schema validator) and uses no AWS SDK:
    // its own bound (docs/mcp.md).
    const [mcp, ...others] = [...bundles].sort(
      (a, b) =>
        Number(readFileSync(b, 'utf8').includes('MCP_RESOURCE_URL')) -
        Number(readFileSync(a, 'utf8').includes('MCP_RESOURCE_URL')),
    );
    expect(readFileSync(mcp as string, 'utf8')).toContain('MCP_RESOURCE_URL');
    expect(statSync(mcp as string).size).toBeLessThan(500 * 1024);
    expect(readFileSync(mcp as string, 'utf8')).not.toContain('"@aws-sdk/');
    // The ops API carries the processor, the archive's replay and every route's public schemas
    // (zod's definitions are calls, which the bundler keeps): 256.8 KB measured, its own bound;
    // every other function stays under 250 KB.
    const [largest, ...rest] = others.map((f) => statSync(f).size).sort((a, b) => b - a);
    expect(largest).toBeLessThan(270 * 1024);
    for (const size of rest) expect(size).toBeLessThan(250 * 1024);
    // The other five use DynamoDB (the archive transform reads the registry's keys) and import
    // the runtime's SDK rather than bundling it.
    const importingSdk = others.filter((f) =>
      readFileSync(f, 'utf8').includes('"@aws-sdk/client-dynamodb"'),
    );
    expect(importingSdk).toHaveLength(5);
  });

  it('gives each function a role of its own with no AWS managed policy, writing only its log group', () => {
    for (const role of ours('AWS::IAM::Role'))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const logWrites = ours('AWS::IAM::Policy').flatMap((p) =>
      (
        p.Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        }
      ).Statement.filter((s) => ([] as string[]).concat(s.Action).includes('logs:PutLogEvents')),
    );
    // Six functions, each to its own log group, and Firehose to its error log group.
    expect(logWrites).toHaveLength(7);
    for (const s of logWrites)
      expect(JSON.stringify(s.Resource)).toMatch(/Logs[0-9A-F]{8}|FirehoseErrors/);
  });

  it('serves the dashboard from a private bucket through CloudFront, with the API on the same origin', () => {
    // The bucket is reachable only through CloudFront's origin access control.
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'site/' },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const [distribution] = resources('AWS::CloudFront::Distribution');
    const config = distribution?.Properties.DistributionConfig as {
      DefaultRootObject: string;
      Logging: unknown;
      DefaultCacheBehavior: { ViewerProtocolPolicy: string };
      CacheBehaviors: { PathPattern: string; CachePolicyId: string; AllowedMethods: string[] }[];
    };
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Logging).toBeDefined();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    // The API paths go to API Gateway uncached (the Authorization header is never cached).
    // The POST routes first (CloudFront takes the first match), with every method.
    expect(API_WRITE_PATHS).toEqual(['/v1/ops/dead-letters/replay', MCP_PATH]);
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toEqual([
      '/v1/ops/dead-letters/replay',
      MCP_PATH,
      '/v1/*',
      '/openapi.json',
      '/docs',
      ...PROTECTED_RESOURCE_PATHS,
    ]);
    for (const b of config.CacheBehaviors) {
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
      expect([...b.AllowedMethods].sort(), b.PathPattern).toEqual(
        API_WRITE_PATHS.includes(b.PathPattern)
          ? ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']
          : ['GET', 'HEAD'],
      );
    }
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp(
              "default-src 'self'.*frame-ancestors 'none'",
            ),
          }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
  });

  it('signs dashboard users in through the user pool by the code flow, back to the site only', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const [client] = resources('AWS::Cognito::UserPoolClient');
    expect(client?.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      GenerateSecret: false,
    });
    const callbacks = JSON.stringify(client?.Properties.CallbackURLs);
    expect(callbacks).toContain('DashboardDistribution');
    // The page learns where to sign in from config.json, deployed beside it.
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: Match.anyValue(),
      DistributionId: Match.anyValue(),
    });
  });

  it('logs API access and requires MFA for every user', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
  });

  it('lets panel PCs (through the IoT credentials provider) only put records on the stream', () => {
    const [roleId] = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              Match.objectLike({ Principal: { Service: 'credentials.iot.amazonaws.com' } }),
            ],
          },
        },
      }),
    );
    expect(roleId).toBeDefined();
    const policies = resources('AWS::IAM::Policy').filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId as string),
    );
    const statements = policies.flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string[]; Resource: unknown }[] })
          .Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
      Effect: 'Allow',
    });
    expect(JSON.stringify(statements[0]?.Resource)).toContain('TelemetryStream');
    template.hasResourceProperties('AWS::IoT::RoleAlias', {
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      CredentialDurationSeconds: 3600,
    });
    template.hasResourceProperties('AWS::IoT::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            // The certificate must be attached to the thing whose name it asks credentials for.
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
          }),
        ],
      },
    });
  });

  it('refuses unsigned records in the processor unless a migration window is opened', () => {
    const env = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties?.Environment?.Variables ?? {})
        .find((v) => 'UNSIGNED_RECORDS' in v);
    expect(env(template)?.UNSIGNED_RECORDS).toBe('refuse');
    const open = Template.fromStack(
      new TelemetryPipelineStack(new App(), 'Migrating', { unsignedRecords: 'accept' }),
    );
    expect(env(open)?.UNSIGNED_RECORDS).toBe('accept');
  });

  it('archives the raw stream through Firehose and its transform into an encrypted, retained, date-partitioned bucket', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: {
        KinesisStreamARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('TelemetryStream'), 'Arn'] },
      },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'raw/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
        CompressionFormat: 'GZIP',
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [Match.objectLike({ Type: 'Lambda' })],
        },
      }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] }),
        ],
      },
      LoggingConfiguration: Match.anyValue(),
    });
    for (const [id, bucket] of Object.entries(template.findResources('AWS::S3::Bucket'))) {
      if (id.startsWith('RawArchive')) expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });

  it('hands the archive transform at most 1 MB of records per invocation', () => {
    // bench:archive: at 3 MB, honest records made responses past Lambda's 6 MB.
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            Match.objectLike({
              Parameters: Match.arrayWith([
                { ParameterName: 'BufferSizeInMBs', ParameterValue: '1' },
              ]),
            }),
          ],
        },
      }),
    });
  });

  it("gives the archive transform a full vCPU and 60 s, within Firehose's 5-minute limit", () => {
    // bench:archive: the worst hostile MB takes ~3.4 s at one vCPU.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('raw-archive JSON line for Firehose'),
      MemorySize: 1769,
      Timeout: 60,
    });
  });

  it("gives the processor the pipeline-status table, which it may only write (each shard's last batch)", () => {
    const processor = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, f]) => 'UNSIGNED_RECORDS' in (f.Properties?.Environment?.Variables ?? {}),
    );
    const variables = processor?.[1].Properties.Environment.Variables;
    const [statusTable] = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable')).filter(
      (id) => id.includes('PipelineStatus'),
    );
    expect(statusTable).toBeDefined();
    expect(variables[TABLES.pipelineStatus.envVar]).toEqual({ Ref: statusTable });
    // The processor's grants (the ops function reads the table: its own test says so).
    const grants = statementsOf(template, processor?.[1] as Resource).filter((st) =>
      JSON.stringify(st.Resource ?? '').includes(statusTable as string),
    );
    const actions = grants.flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions)
      expect(action).toMatch(
        /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|DescribeTable)$/,
      );
  });

  it('lets the archive transform read the registry, to verify the signatures of what it screens', () => {
    // A screened line cannot keep the bytes a signature covers: the transform verifies it.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('raw-archive JSON line for Firehose'),
      Environment: {
        Variables: Match.objectLike({ [TABLES.registry.envVar]: Match.anyValue() }),
      },
    });
  });

  it("names every action of Firehose's role: read the stream, put objects, invoke the transform, log errors", () => {
    const [roleId] = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [Match.objectLike({ Principal: { Service: 'firehose.amazonaws.com' } })],
          },
        },
      }),
    );
    const actions = resources('AWS::IAM::Policy')
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId as string))
      .flatMap(
        (p) =>
          (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      )
      .flatMap((st) => ([] as string[]).concat(st.Action))
      .sort();
    expect(actions).toEqual([
      'kinesis:DescribeStream',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
      'lambda:GetFunctionConfiguration',
      'lambda:InvokeFunction',
      'logs:PutLogEvents',
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:PutObject',
    ]);
  });
});

/** The distribution's behaviours: the default one and one per API path. */
function behaviours(t: Template) {
  const [distribution] = Object.values(
    t.findResources('AWS::CloudFront::Distribution'),
  ) as Resource[];
  const config = distribution?.Properties.DistributionConfig as {
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors: Record<string, unknown>[];
    Origins: { Id: string; DomainName: unknown }[];
    WebACLId?: unknown;
  };
  return config;
}
const policyOf = (ref: unknown) => {
  const id = (ref as { Ref?: string }).Ref ?? '';
  return (template.toJSON().Resources[id] as Resource | undefined)?.Properties
    .ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, unknown> } | undefined;
};

describe('Stack: what reaches the API, and how', () => {
  it('puts a response-headers policy on every CloudFront behaviour', () => {
    const config = behaviours(template);
    const all = [config.DefaultCacheBehavior, ...config.CacheBehaviors];
    expect(all).toHaveLength(8);
    for (const b of all)
      expect(policyOf(b.ResponseHeadersPolicyId), String(b.PathPattern)).toBeDefined();
  });

  it.each(['/v1/*', '/v1/ops/dead-letters/replay', '/openapi.json', '/docs'])(
    'sends HSTS, nosniff, DENY framing, no referrer and the API policy on %s',
    (path) => {
      const behaviour = behaviours(template).CacheBehaviors.find((b) => b.PathPattern === path);
      expect(policyOf(behaviour?.ResponseHeadersPolicyId)?.SecurityHeadersConfig).toEqual({
        ContentSecurityPolicy: { ContentSecurityPolicy: API_CSP, Override: true },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: 31_536_000,
          IncludeSubdomains: true,
          Override: true,
        },
      });
    },
  );

  it("lets /docs render under the API's policy: no script, nothing external, only its hashed style", () => {
    const page = docsPage();
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\sstyle=|https?:\/\//);
    const styles = [...page.matchAll(/<style>([^<]*)<\/style>/g)].map((m) => m[1] ?? '');
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256')
      .update(styles[0] ?? '')
      .digest('base64');
    expect(API_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(API_CSP).toMatch(/^default-src 'none';/);
    expect(API_CSP).not.toContain('unsafe');
  });

  it("keeps the dashboard's own policy on the default behaviour", () => {
    const policy = policyOf(behaviours(template).DefaultCacheBehavior.ResponseHeadersPolicyId);
    expect(policy?.SecurityHeadersConfig).toMatchObject({
      ContentSecurityPolicy: { ContentSecurityPolicy: SITE_CSP, Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
    });
  });

  it('configures no CORS on the HTTP API (page and API share one origin)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
  });

  it('keeps the execute-api endpoint only while it is CloudFront’s way to the API (no API domain)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: false,
    });
    const origin = behaviours(template).Origins.find((o) =>
      JSON.stringify(o.DomainName).includes('execute-api'),
    );
    expect(origin).toBeDefined();
  });

  it('gives the API URL as CloudFront’s, never execute-api', () => {
    const outputs = template.findOutputs('ApiUrl');
    const value = JSON.stringify(Object.values(outputs)[0]?.Value);
    expect(value).toContain('DashboardDistribution');
    expect(value).not.toContain('execute-api');
  });

  it('logs the source IP and user agent of every API request', () => {
    const [stage] = resources('AWS::ApiGatewayV2::Stage');
    const settings = stage?.Properties.AccessLogSettings as { Format: string } | undefined;
    const format = JSON.parse(settings?.Format ?? '{}') as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      status: '$context.status',
      routeKey: '$context.routeKey',
    });
    // REST API variables log as '-' in an HTTP API.
    expect(Object.values(format)).not.toContain('$context.resourcePath');
  });
});

describe('Stack: with the API on its own domain', () => {
  let withDomain: Template;
  beforeAll(() => {
    withDomain = Template.fromStack(
      new TelemetryPipelineStack(new App(), 'Domain', {
        apiDomain: {
          domainName: 'api.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
        },
      }),
    );
  });

  it('disables the execute-api endpoint', () => {
    withDomain.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
  });

  it('maps the domain to the stage and sends CloudFront there', () => {
    withDomain.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.example.com',
    });
    withDomain.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const origins = behaviours(withDomain).Origins.map((o) => JSON.stringify(o.DomainName));
    expect(origins).toContain('"api.example.com"');
    expect(origins.some((o) => o.includes('execute-api'))).toBe(false);
  });
});

describe('Stack: per-caller limits at CloudFront (AWS WAF)', () => {
  type Rule = {
    Name: string;
    Priority: number;
    Action: { Block?: { CustomResponse?: { ResponseCode: number } } };
    Statement: Record<string, unknown>;
  };
  const rules = (t: Template) =>
    (
      (Object.values(t.findResources('AWS::WAFv2::WebACL'))[0] as Resource).Properties
        .Rules as Rule[]
    ).sort((a, b) => a.Priority - b.Priority);
  const limits = STAGE_CONFIG.dev.edgeRateLimits;

  it('creates a CLOUDFRONT-scope web ACL that allows by default', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
    });
  });

  it('limits every source IP over the stage window, answering 429, before any other rule', () => {
    const [first] = rules(template);
    expect(first).toMatchObject({
      Name: 'PerSourceIp',
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      Statement: {
        RateBasedStatement: {
          AggregateKeyType: 'IP',
          Limit: limits.perSourceIp,
          EvaluationWindowSec: limits.windowSeconds,
        },
      },
    });
  });

  it('limits every bearer token by its Authorization header, answering 429', () => {
    expect(rules(template).find((r) => r.Name === 'PerToken')).toMatchObject({
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      Statement: {
        RateBasedStatement: {
          AggregateKeyType: 'CUSTOM_KEYS',
          CustomKeys: [{ Header: { Name: 'authorization' } }],
          Limit: limits.perToken,
          EvaluationWindowSec: limits.windowSeconds,
        },
      },
    });
  });

  it('refuses /v1/* without an Authorization header at the edge with 401', () => {
    const rule = rules(template).find((r) => r.Name === 'ApiWithoutToken');
    expect(rule?.Action).toMatchObject({ Block: { CustomResponse: { ResponseCode: 401 } } });
    expect(JSON.stringify(rule?.Statement)).toContain('"SearchString":"/v1/"');
    expect(rule?.Statement).toMatchObject({
      AndStatement: {
        Statements: [
          { ByteMatchStatement: { PositionalConstraint: 'STARTS_WITH' } },
          {
            NotStatement: {
              Statement: {
                SizeConstraintStatement: {
                  FieldToMatch: { SingleHeader: { Name: 'authorization' } },
                  ComparisonOperator: 'GT',
                  Size: 0,
                },
              },
            },
          },
        ],
      },
    });
  });

  it('creates the ACL only when deployed in us-east-1, and attaches it to the distribution there', () => {
    const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL')) as {
      Condition?: string;
    }[];
    const condition = acl?.Condition ?? '';
    expect(template.toJSON().Conditions[condition]).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'],
    });
    expect(behaviours(template).WebACLId).toEqual({
      'Fn::If': [condition, { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, { Ref: 'AWS::NoValue' }],
    });
  });

  it('attaches a given us-east-1 ACL when deployed elsewhere, and sizes limits from the stage', () => {
    const arn = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/abc';
    const stage = {
      ...STAGE_CONFIG.prod,
      edgeRateLimits: { windowSeconds: 60, perSourceIp: 120, perToken: 60 } as const,
    };
    const other = Template.fromStack(
      new TelemetryPipelineStack(new App(), 'Elsewhere', { stage, webAclArn: arn }),
    );
    expect((behaviours(other).WebACLId as { 'Fn::If': unknown[] })['Fn::If'][2]).toBe(arn);
    expect(
      rules(other).map(
        (r) => (r.Statement.RateBasedStatement as { Limit?: number } | undefined)?.Limit,
      ),
    ).toEqual([120, undefined, 60]);
  });
});
