import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** The settings every bucket of the stack has: encrypted, TLS only, never public. */
export const PRIVATE_BUCKET = {
  encryption: BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
} as const satisfies BucketProps;

export interface AccessLogOptions {
  readonly expireAfter: Duration;
  /** What the bucket receives, for cdk-nag's S1 acknowledgement. */
  readonly what: string;
  readonly objectOwnership?: ObjectOwnership;
}

/**
 * A retained bucket for other buckets' (and CloudFront's) access logs, expiring them after
 * `expireAfter`. It does not log itself (that would loop), which cdk-nag's S1 is told, with `what`.
 */
export function accessLogBucket(scope: Construct, id: string, options: AccessLogOptions): Bucket {
  const bucket = new Bucket(scope, id, {
    ...PRIVATE_BUCKET,
    ...(options.objectOwnership !== undefined && { objectOwnership: options.objectOwnership }),
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: options.expireAfter }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This bucket receives ${options.what}; logging it into itself would loop.`,
  });
  return bucket;
}

export interface LoggedBucketProps
  extends Omit<
    BucketProps,
    keyof typeof PRIVATE_BUCKET | 'serverAccessLogsBucket' | 'serverAccessLogsPrefix'
  > {
  /** Its access-log bucket (construct `id`), and the prefix its logs go under there. */
  readonly accessLogs: AccessLogOptions & { readonly id: string; readonly prefix: string };
}

/**
 * A private bucket with an access-log bucket of its own (see accessLogBucket), which it logs
 * into under `accessLogs.prefix`. Both are returned: others (CloudFront) may log there too.
 */
export function loggedPrivateBucket(
  scope: Construct,
  id: string,
  props: LoggedBucketProps,
): { bucket: Bucket; accessLogs: Bucket } {
  const { accessLogs: logs, ...bucketProps } = props;
  const accessLogs = accessLogBucket(scope, logs.id, logs);
  const bucket = new Bucket(scope, id, {
    ...PRIVATE_BUCKET,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: logs.prefix,
    ...bucketProps,
  });
  return { bucket, accessLogs };
}
