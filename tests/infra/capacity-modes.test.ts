import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CAPACITY_CONTEXT,
  type CapacitySettings,
  capacityFromContext,
  PROVISIONED_AGGREGATES_DEFAULTS,
} from '../../infra/cdk/capacity-config.js';
import { TelemetryPipelineStack } from '../../infra/cdk/telemetry-pipeline-stack.js';

const fromContext = (context: Record<string, unknown>) =>
  capacityFromContext((name) => context[name]);
const synth = (capacity?: CapacitySettings) =>
  Template.fromStack(
    new TelemetryPipelineStack(new App(), 'Capacity', capacity === undefined ? {} : { capacity }),
  );
type Table = { Properties: Record<string, unknown> };
/** The stack's tables by construct name (Aggregates, Registry, DeadLetters, PipelineStatus). */
const tablesOf = (template: Template) =>
  Object.fromEntries(
    Object.entries(template.findResources('AWS::DynamoDB::GlobalTable')).map(([id, r]) => [
      id.match(/^Tables([A-Za-z]+)[0-9A-F]{8}$/)?.[1] ?? id,
      r as Table,
    ]),
  );

// Four syntheses (each bundles the functions), shared by the tests below.
let onDemand: Template;
let provisioned: Template;
let provisionedDefaults: Template;
let provisionedStream: Template;
beforeAll(() => {
  onDemand = synth(fromContext({}));
  provisioned = synth(
    fromContext({
      dynamodbCapacity: 'provisioned',
      dynamodbMinWrite: '100',
      dynamodbMaxWrite: '2000',
      dynamodbMinRead: '50',
      dynamodbMaxRead: '900',
      dynamodbTargetUtilization: '60',
    }),
  );
  provisionedDefaults = synth(fromContext({ dynamodbCapacity: 'provisioned' }));
  provisionedStream = synth(fromContext({ kinesisShards: '12' }));
}, 240_000);

describe('Stack: capacity modes', () => {
  it('stays on-demand for the stream and every table when no capacity option is given', () => {
    onDemand.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
    });
    const tables = Object.values(tablesOf(onDemand));
    expect(tables).toHaveLength(4);
    for (const t of tables) {
      expect(t.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(t.Properties.WriteProvisionedThroughputSettings).toBeUndefined();
    }
  });

  it('provisions the aggregates table with auto scaling of writes and reads at the target', () => {
    const { Aggregates } = tablesOf(provisioned);

    // TableV2 keeps auto scaling in the global table itself (no separate scalable
    // targets): the write settings on the table, the read settings on its replica.
    expect(Aggregates?.Properties).toMatchObject({
      BillingMode: 'PROVISIONED',
      WriteProvisionedThroughputSettings: {
        WriteCapacityAutoScalingSettings: {
          MinCapacity: 100,
          MaxCapacity: 2000,
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 },
        },
      },
      Replicas: [
        expect.objectContaining({
          ReadProvisionedThroughputSettings: {
            ReadCapacityAutoScalingSettings: {
              MinCapacity: 50,
              MaxCapacity: 900,
              TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 },
            },
          },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });

  it('keeps the registry and dead-letter tables on-demand when the aggregates are provisioned', () => {
    const { Registry, DeadLetters } = tablesOf(provisionedDefaults);

    expect(Registry?.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(DeadLetters?.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it("uses the reference fleet's bounds and 70% when only the mode is given", () => {
    const { Aggregates } = tablesOf(provisionedDefaults);
    const d = PROVISIONED_AGGREGATES_DEFAULTS;

    expect(Aggregates?.Properties.WriteProvisionedThroughputSettings).toEqual({
      WriteCapacityAutoScalingSettings: {
        MinCapacity: d.write.min,
        MaxCapacity: d.write.max,
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 },
      },
    });
  });

  it('provisions the stream with the shard count given, keeping its encryption and retention', () => {
    provisionedStream.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 12,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 168,
    });
  });

  it('maps a provisioned stream to the processor as it maps an on-demand one', () => {
    const mapping = (template: Template) => {
      const [m] = Object.values(
        template.findResources('AWS::Lambda::EventSourceMapping'),
      ) as Table[];
      return m?.Properties;
    };

    expect(mapping(provisionedStream)).toEqual(mapping(onDemand));
    expect(mapping(onDemand)).toBeDefined();
  });
});

describe('Function: capacityFromContext', () => {
  it('reads numbers given in cdk.json as well as strings given by -c', () => {
    expect(fromContext({ kinesisShards: 4 })).toMatchObject({
      kinesis: { mode: 'provisioned', shards: 4 },
    });
    expect(
      fromContext({ dynamodbCapacity: 'provisioned', dynamodbMinWrite: 10, dynamodbMaxWrite: '20' })
        .dynamodb,
    ).toMatchObject({ write: { min: 10, max: 20 } });
  });

  it.each([
    [{ dynamodbCapacity: 'auto' }, 'dynamodbCapacity', /on-demand \(default\) or provisioned/],
    [{ kinesisShards: '0' }, 'kinesisShards', /from 1 to 10000/],
    [{ kinesisShards: '2.5' }, 'kinesisShards', /whole number/],
    [{ kinesisShards: 'many' }, 'kinesisShards', /"many"/],
    [{ dynamodbCapacity: 'provisioned', dynamodbMinWrite: '-5' }, 'dynamodbMinWrite', /at least 1/],
    [
      { dynamodbCapacity: 'provisioned', dynamodbMinRead: '500', dynamodbMaxRead: '100' },
      'dynamodbMaxRead',
      /at least dynamodbMinRead \(500\)/,
    ],
    [
      { dynamodbCapacity: 'provisioned', dynamodbTargetUtilization: '95' },
      'dynamodbTargetUtilization',
      /20 to 90/,
    ],
    [{ dynamodbMaxWrite: '100' }, 'dynamodbMaxWrite', /only with dynamodbCapacity=provisioned/],
  ])('refuses %j, naming the option %s', (context, option, why) => {
    expect(() => fromContext(context)).toThrow(new RegExp(`context "${option}"`));
    expect(() => fromContext(context)).toThrow(why);
  });

  it('documents every option it reads', () => {
    const read = new Set<string>();
    capacityFromContext((name) => {
      read.add(name);
      return undefined;
    });
    capacityFromContext((name) => {
      read.add(name);
      return name === 'dynamodbCapacity' ? 'provisioned' : undefined;
    });

    expect([...read].sort()).toEqual(Object.keys(CAPACITY_CONTEXT).sort());
  });

  it('raises a default maximum to a minimum given above it', () => {
    const { dynamodb } = fromContext({ dynamodbCapacity: 'provisioned', dynamodbMinWrite: '9000' });

    expect(dynamodb).toMatchObject({ write: { min: 9000, max: 9000 } });
  });
});
