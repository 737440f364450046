import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/impact-api/routes.js';
import { TABLES } from '../../functions/shared/resources.js';
import { FUNCTION_SIZING } from '../../infra/constructs/function-defaults.js';
import { PROCESSOR_EVENT_SOURCE } from '../../infra/processor-event-source.js';
import { TelemetryPipelineStack } from '../../infra/stacks/telemetry-pipeline-stack.js';
import { STAGE_CONFIG, stageFromContext } from '../../infra/stage-config.js';

let template: Template;
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

describe('Stack: TelemetryPipelineStack', () => {
  it('creates an on-demand, KMS-encrypted telemetry stream with seven days of retention', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 168,
    });
  });

  it('creates every table from the shared definitions: on-demand, encrypted, point-in-time recovery', () => {
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
    ['DeadLetteredRecords', 1, 1],
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

  it('alarms on DynamoDB throttling of every table, and has an operations dashboard', () => {
    const throttleAlarms = resources('AWS::CloudWatch::Alarm').filter(
      (a) => a.Properties.MetricName === 'ThrottledRequests',
    );
    expect(throttleAlarms).toHaveLength(Object.keys(TABLES).length);
    expect(resources('AWS::CloudWatch::Dashboard')).toHaveLength(1);
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
    expect(functions).toHaveLength(3);
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
          fn.Properties.ReservedConcurrentExecutions === sizing.reservedConcurrency,
      );
      expect(matching, name).toHaveLength(1);
    }
    // The processor's cap leaves room for every shard of a 40-shard stream.
    expect(FUNCTION_SIZING.processor.reservedConcurrency).toBeGreaterThanOrEqual(
      40 * PROCESSOR_EVENT_SOURCE.parallelizationFactor,
    );
  });

  it('requires a Cognito JWT on every API route but the documentation', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: Match.anyValue(), Audience: Match.anyValue() },
    });
    const routes = resources('AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const route of routes) {
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
    ).toEqual(['GET /docs', 'GET /openapi.json']);
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

  it('bundles every function under 250 KB, the AWS SDK coming from the runtime', () => {
    const bundles = readdirSync(assemblyDir)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(assemblyDir, d, 'index.mjs'))
      .filter((f) => existsSync(f));
    expect(bundles).toHaveLength(3);
    for (const file of bundles) expect(statSync(file).size).toBeLessThan(250 * 1024);
    // The two that use DynamoDB import the runtime's SDK rather than bundling it.
    const importingSdk = bundles.filter((f) =>
      readFileSync(f, 'utf8').includes('"@aws-sdk/client-dynamodb"'),
    );
    expect(importingSdk).toHaveLength(2);
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
    // Three functions, each to its own log group, and Firehose to its error log group.
    expect(logWrites).toHaveLength(4);
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
    expect(config.CacheBehaviors.map((b) => b.PathPattern).sort()).toEqual(
      ['/docs', '/openapi.json', '/v1/*'].sort(),
    );
    for (const b of config.CacheBehaviors) {
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
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
        Statement: [Match.objectLike({ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate' })],
      },
    });
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
