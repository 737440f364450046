import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, LogStream, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type Bucket, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_TRANSFORM_BUFFER_MB, pipelineFunction } from './function-defaults.js';
import { loggedPrivateBucket } from './private-bucket.js';

export interface RawArchiveProps {
  readonly stream: IStream;
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
    this.bucket = loggedPrivateBucket(this, 'Bucket', {
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
          ...(props.expireAfter !== undefined && { expiration: props.expireAfter }),
        },
      ],
    }).bucket;
    const transform = pipelineFunction(this, {
      name: 'archive-transform',
      entry: 'functions/archive/firehose-transform.ts',
      description: 'Turns each Kinesis record into a raw-archive JSON line for Firehose',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    }).fn;
    const errors = new LogGroup(this, 'FirehoseErrors', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const errorStream = new LogStream(this, 'FirehoseErrorStream', {
      logGroup: errors,
      removalPolicy: props.removalPolicy,
    });

    this.role = new Role(this, 'FirehoseRole', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com'),
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [
          'kinesis:DescribeStream',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
          'kinesis:ListShards',
        ],
        resources: [props.stream.streamArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [
          's3:AbortMultipartUpload',
          's3:GetBucketLocation',
          's3:ListBucket',
          's3:ListBucketMultipartUploads',
          's3:PutObject',
        ],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
        resources: [transform.functionArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [errors.logGroupArn] }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as never)}.Arn>/*]`,
      reason:
        'Firehose writes objects under new keys in its own archive bucket; object keys cannot be listed in advance.',
    });

    this.deliveryStream = new CfnDeliveryStream(this, 'Firehose', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: {
        kinesisStreamArn: props.stream.streamArn,
        roleArn: this.role.roleArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: this.role.roleArn,
        prefix: 'raw/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
        errorOutputPrefix:
          'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
        compressionFormat: 'GZIP',
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: errors.logGroupName,
          logStreamName: errorStream.logStreamName,
        },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: [
                { parameterName: 'LambdaArn', parameterValue: transform.functionArn },
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
    this.deliveryStream.node.addDependency(this.role);
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'Firehose cannot encrypt a delivery stream whose source is a Kinesis stream; the source stream is KMS-encrypted and the bucket encrypts at rest.',
    });
  }
}
