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

/**
 * A retained bucket for other buckets' (and CloudFront's) access logs, expiring them after
 * `expireAfter`. It does not log itself (that would loop), which cdk-nag's S1 is told, with `what`.
 */
export function accessLogBucket(
  scope: Construct,
  id: string,
  options: { expireAfter: Duration; what: string; objectOwnership?: ObjectOwnership },
): Bucket {
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
