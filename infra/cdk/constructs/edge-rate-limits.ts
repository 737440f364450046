import { Aws, CfnCondition, CfnOutput, Fn } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Per-caller request limits at CloudFront, counted by AWS WAF over a sliding window. */
export interface EdgeRateLimitSettings {
  /** WAF's evaluation window: 60, 120, 300 or 600 seconds. */
  readonly windowSeconds: 60 | 120 | 300 | 600;
  /** Requests one source IP may make in a window, with or without a token (WAF minimum 10). */
  readonly perSourceIp: number;
  /** Requests one bearer token (the `Authorization` header's value) may make in a window. */
  readonly perToken: number;
}

export interface EdgeRateLimitsProps {
  readonly limits: EdgeRateLimitSettings;
  /**
   * A CLOUDFRONT-scope web ACL that already exists in us-east-1, for a stack deployed in
   * another region (where this construct cannot create one).
   * @default none: outside us-east-1 the distribution then has no web ACL
   */
  readonly existingWebAclArn?: string;
}

const PROBLEM_BASE = 'https://store-floor-impact.dev/problems/';
const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});
const blockWith = (responseCode: number, customResponseBodyKey: string) => ({
  block: { customResponse: { responseCode, customResponseBodyKey } },
});
const problem = (slug: string, title: string, status: number, detail: string) =>
  JSON.stringify({ type: `${PROBLEM_BASE}${slug}`, title, status, detail });

/**
 * Per-caller throttling for the deployed API, which an HTTP API cannot do itself: its stage
 * and route throttles are one bucket shared by every caller, unauthenticated ones included.
 * An AWS WAF web ACL on the CloudFront distribution limits each source IP (every request) and
 * each bearer token (every request that carries one), and refuses `/v1/*` without a token at
 * the edge (the API would answer 401 anyway), so tokenless traffic never reaches the stage's
 * shared bucket. The stage throttle stays as the overall cap.
 *
 * A CLOUDFRONT-scope web ACL can only be created in us-east-1, and this stack's region is
 * the deploying credentials' (region-agnostic at synth). So the ACL is created under a
 * CloudFormation condition on the deploy region; elsewhere, `existingWebAclArn` names one made
 * in us-east-1. `webAclId` is what to give the distribution.
 */
export class EdgeRateLimits extends Construct {
  /** For `Distribution.webAclId`: this ACL in us-east-1, the existing one (or none) elsewhere. */
  public readonly webAclId: string;
  public readonly webAcl: CfnWebACL;
  public readonly inUsEast1: CfnCondition;

  constructor(scope: Construct, id: string, props: EdgeRateLimitsProps) {
    super(scope, id);
    const { limits } = props;
    this.inUsEast1 = new CfnCondition(this, 'InUsEast1', {
      expression: Fn.conditionEquals(Aws.REGION, 'us-east-1'),
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Per-caller request limits for the store-floor impact API and dashboard',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('StoreFloorEdge'),
      customResponseBodies: refusalBodies(limits.windowSeconds),
      rules: [perSourceIpRule(limits), apiWithoutTokenRule(), perTokenRule(limits)],
    });
    this.webAcl.cfnOptions.condition = this.inUsEast1;
    this.webAclId = Fn.conditionIf(
      this.inUsEast1.logicalId,
      this.webAcl.attrArn,
      props.existingWebAclArn ?? Aws.NO_VALUE,
    ).toString();
    const output = new CfnOutput(this, 'WebAclArn', {
      description:
        'The web ACL that rate-limits each caller at CloudFront (made in us-east-1 only)',
      value: this.webAcl.attrArn,
    });
    output.condition = this.inUsEast1;
  }
}

/** The problem documents the rules answer with: 429 over a limit, 401 without a token. */
function refusalBodies(
  windowSeconds: number,
): Record<string, CfnWebACL.CustomResponseBodyProperty> {
  return {
    tooManyRequests: {
      contentType: 'APPLICATION_JSON',
      content: problem(
        'too-many-requests',
        'Too Many Requests',
        429,
        `over this caller's limit; retry after up to ${windowSeconds} s`,
      ),
    },
    unauthorized: {
      contentType: 'APPLICATION_JSON',
      content: problem('unauthorized', 'Unauthorized', 401, 'a valid bearer token is required'),
    },
  };
}

/** First, so that it counts every request an address makes, refused ones included. */
function perSourceIpRule(limits: EdgeRateLimitSettings): CfnWebACL.RuleProperty {
  return rateLimitRule('PerSourceIp', 0, {
    aggregateKeyType: 'IP',
    limit: limits.perSourceIp,
    evaluationWindowSec: limits.windowSeconds,
  });
}

/** `/v1/*` without an `Authorization` header: 401 at the edge. */
function apiWithoutTokenRule(): CfnWebACL.RuleProperty {
  return {
    name: 'ApiWithoutToken',
    priority: 1,
    action: blockWith(401, 'unauthorized'),
    statement: {
      andStatement: {
        statements: [
          {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'STARTS_WITH',
              searchString: '/v1/',
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          {
            notStatement: {
              statement: {
                sizeConstraintStatement: {
                  fieldToMatch: { singleHeader: { Name: 'authorization' } },
                  comparisonOperator: 'GT',
                  size: 0,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
        ],
      },
    },
    visibilityConfig: visibility('ApiWithoutToken'),
  };
}

/** A request without the header has no key and is not counted here (WAF's rule). */
function perTokenRule(limits: EdgeRateLimitSettings): CfnWebACL.RuleProperty {
  return rateLimitRule('PerToken', 2, {
    aggregateKeyType: 'CUSTOM_KEYS',
    customKeys: [
      { header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
    ],
    limit: limits.perToken,
    evaluationWindowSec: limits.windowSeconds,
  });
}

/** A rate-based rule answering 429 over its limit; its metric is named after it. */
function rateLimitRule(
  name: string,
  priority: number,
  rateBasedStatement: CfnWebACL.RateBasedStatementProperty,
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    action: blockWith(429, 'tooManyRequests'),
    statement: { rateBasedStatement },
    visibilityConfig: visibility(name),
  };
}
