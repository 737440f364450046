import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, LogStream, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type Bucket, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_TRANSFORM_BUFFER_MB, pipelineFunction } from './function-defaults.js';
import { loggedPrivateBucket } from './private-bucket.js';

export interface RawArchiveProps {
  readonly stream: IStream;
  /** The device registry: the transform reads signers' keys to verify what it screens. */
  readonly registry: ITableV2;
  readonly logRetention: RetentionDays;
  /** For the log groups. */
  readonly removalPolicy: RemovalPolicy;
  /** Delete archived objects after this long. @default never */
  readonly expireAfter?: Duration;
}

/**
 * Every raw record, kept: Amazon Data Firehose reads the stream, its transform Lambda turns
 * each record into an archive JSON line (functions/archive/firehose-transform.ts; Firehose hands
 * it ARCHIVE_TRANSFORM_BUFFER_MB of records at a time, sized with it), and gzipped
 * objects land in S3 under `raw/YYYY/MM/DD/`, moving to Glacier Instant Retrieval after 90
 * days. `npm run rebuild` replays these lines. The bucket is retained in every stage: it is
 * what the aggregates are rebuilt from. Firehose's role is written out action by action (the
 * L2 construct would grant S3 wildcard actions).
 */
export class RawArchive extends Construct {
  public readonly bucket: Bucket;
  public readonly deliveryStream: CfnDeliveryStream;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: RawArchiveProps) {
    super(scope, id);
    this.bucket = archiveBucket(this, props.expireAfter);
    const transform = archiveTransform(this, props);
    const errors = firehoseErrorLog(this, props);
    const parts = { stream: props.stream, bucket: this.bucket, transform, errors };
    this.role = firehoseRole(this, parts);
    this.deliveryStream = deliveryStream(this, { ...parts, role: this.role });
  }
}

/** Where Firehose logs a failed delivery. */
interface FirehoseErrorLog {
  readonly group: LogGroup;
  readonly stream: LogStream;
}

/** What Firehose reads, writes, invokes and logs to. */
interface FirehoseParts {
  readonly stream: IStream;
  readonly bucket: Bucket;
  readonly transform: IFunction;
  readonly errors: FirehoseErrorLog;
}

/**
 * The archive bucket, retained and versioned, with its own access-log bucket: objects move to
 * Glacier Instant Retrieval after 90 days and expire after `expireAfter`, if given.
 */
function archiveBucket(scope: Construct, expireAfter: Duration | undefined): Bucket {
  return loggedPrivateBucket(scope, 'Bucket', {
    accessLogs: {
      id: 'AccessLogs',
      prefix: 'archive/',
      expireAfter: Duration.days(365),
      what: "the archive bucket's server access logs",
    },
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      {
        transitions: [
          {
            storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
            transitionAfter: Duration.days(90),
          },
        ],
        noncurrentVersionExpiration: Duration.days(30),
        ...(expireAfter !== undefined && { expiration: expireAfter }),
      },
    ],
  }).bucket;
}

/** The Lambda that turns each Kinesis record into an archive JSON line. */
function archiveTransform(scope: Construct, props: RawArchiveProps): IFunction {
  return pipelineFunction(scope, {
    name: 'archive-transform',
    entry: 'functions/archive/firehose-transform.ts',
    description: 'Turns each Kinesis record into a raw-archive JSON line for Firehose',
    tables: [{ name: 'registry', table: props.registry, access: 'read' }],
    logRetention: props.logRetention,
    removalPolicy: props.removalPolicy,
  }).fn;
}

/** The log group and stream Firehose writes failed deliveries to. */
function firehoseErrorLog(scope: Construct, props: RawArchiveProps): FirehoseErrorLog {
  const group = new LogGroup(scope, 'FirehoseErrors', {
    retention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
  const stream = new LogStream(scope, 'FirehoseErrorStream', {
    logGroup: group,
    removalPolicy: props.removalPolicy,
  });
  return { group, stream };
}

/** Firehose's role, action by action: read the stream, write the bucket, invoke, log. */
function firehoseRole(scope: Construct, parts: FirehoseParts): Role {
  const role = new Role(scope, 'FirehoseRole', {
    assumedBy: new ServicePrincipal('firehose.amazonaws.com'),
  });
  role.addToPolicy(
    new PolicyStatement({
      actions: [
        'kinesis:DescribeStream',
        'kinesis:GetShardIterator',
        'kinesis:GetRecords',
        'kinesis:ListShards',
      ],
      resources: [parts.stream.streamArn],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: [
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:PutObject',
      ],
      resources: [parts.bucket.bucketArn, parts.bucket.arnForObjects('*')],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
      resources: [parts.transform.functionArn],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ['logs:PutLogEvents'],
      resources: [parts.errors.group.logGroupArn],
    }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(parts.bucket.node.defaultChild as never)}.Arn>/*]`,
    reason:
      'Firehose writes objects under new keys in its own archive bucket; object keys cannot be listed in advance.',
  });
  return role;
}

/**
 * The delivery stream: Kinesis in, each batch through the transform, gzipped objects out under
 * `raw/YYYY/MM/DD/` (failures under `errors/`), every 5 minutes or 64 MB.
 */
function deliveryStream(
  scope: Construct,
  parts: FirehoseParts & { readonly role: Role },
): CfnDeliveryStream {
  const stream = new CfnDeliveryStream(scope, 'Firehose', {
    deliveryStreamType: 'KinesisStreamAsSource',
    kinesisStreamSourceConfiguration: {
      kinesisStreamArn: parts.stream.streamArn,
      roleArn: parts.role.roleArn,
    },
    extendedS3DestinationConfiguration: {
      bucketArn: parts.bucket.bucketArn,
      roleArn: parts.role.roleArn,
      prefix: 'raw/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
      errorOutputPrefix:
        'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
      bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
      compressionFormat: 'GZIP',
      cloudWatchLoggingOptions: {
        enabled: true,
        logGroupName: parts.errors.group.logGroupName,
        logStreamName: parts.errors.stream.logStreamName,
      },
      processingConfiguration: {
        enabled: true,
        processors: [
          {
            type: 'Lambda',
            parameters: [
              { parameterName: 'LambdaArn', parameterValue: parts.transform.functionArn },
              { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
              {
                parameterName: 'BufferSizeInMBs',
                parameterValue: String(ARCHIVE_TRANSFORM_BUFFER_MB),
              },
            ],
          },
        ],
      },
    },
  });
  stream.node.addDependency(parts.role);
  Validations.of(stream).acknowledge({
    id: 'AwsSolutions-KDF1',
    reason:
      'Firehose cannot encrypt a delivery stream whose source is a Kinesis stream; the source stream is KMS-encrypted and the bucket encrypts at rest.',
  });
  return stream;
}
