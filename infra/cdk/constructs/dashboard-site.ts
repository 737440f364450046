import { createHash } from 'node:crypto';
import {
  type CfnElement,
  DockerImage,
  Duration,
  type RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  type CfnUserPoolClient,
  OAuthScope,
  type UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { type Bucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { bundleDashboardSync, DASHBOARD_DIR } from '#dashboard';
import { DOCS_STYLE, ROUTES } from '#impact-api';
import { MCP_PATH, PROTECTED_RESOURCE_PATHS } from '#mcp';
import { loggedPrivateBucket } from './private-bucket.js';

export interface DashboardSiteProps {
  /** The host CloudFront sends `API_PATHS` to (ImpactApi.originDomainName). */
  readonly apiOriginDomainName: string;
  /** The distribution's web ACL (EdgeRateLimits.webAclId). @default none */
  readonly webAclId?: string;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
}

/** Paths CloudFront sends to the impact API rather than to the bucket (same origin, no CORS). */
export const API_PATHS = [
  '/v1/*',
  '/openapi.json',
  '/docs',
  // The MCP endpoint's public metadata (RFC 9728), which assistants read before signing in.
  ...PROTECTED_RESOURCE_PATHS,
] as const;

/**
 * The API's POST routes (the ops API's replay): CloudFront forwards every method to these
 * paths, ahead of `/v1/*`, which takes GET and HEAD only. No cookie authenticates a call (a
 * bearer token does), so a cross-site form cannot post as an operator.
 */
export const API_WRITE_PATHS: readonly string[] = [
  ...ROUTES.filter((r) => r.method === 'POST').map((r) => r.path),
  MCP_PATH,
];

/** The dashboard: scripts from the site only; it calls the API (same origin) and Cognito. */
export const SITE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' https://*.amazoncognito.com; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/**
 * The API paths: JSON needs nothing, and `/docs` loads nothing but its own HTML and one
 * inline style, allowed by its hash (no script runs there at all).
 */
export const API_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(DOCS_STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

/** HSTS, nosniff, no framing, no referrer, and the given content security policy. */
function securityHeaders(contentSecurityPolicy: string) {
  return {
    contentSecurityPolicy: { contentSecurityPolicy, override: true },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
    referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
    strictTransportSecurity: {
      accessControlMaxAge: Duration.days(365),
      includeSubdomains: true,
      override: true,
    },
  };
}

/**
 * The leadership dashboard: the Vite build in a private bucket behind CloudFront (origin
 * access control), the impact API behind the same distribution, and the user pool's managed
 * login (authorization code with PKCE) as the way in. `config.json` tells the page where to
 * sign in.
 */
export class DashboardSite extends Construct {
  public readonly distribution: Distribution;
  public readonly bucket: Bucket;
  public readonly loginDomain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    const site = siteBucket(this, props.removalPolicy);
    this.bucket = site.bucket;
    this.distribution = siteDistribution(this, site, props);
    acknowledgeDistribution(this.distribution);
    this.loginDomain = props.userPool.addDomain('Login', {
      cognitoDomain: { domainPrefix: `store-floor-${props.stage}-${Stack.of(this).account}` },
    });
    signInBackToSite(props.userPoolClient, `https://${this.distribution.distributionDomainName}/`);
    deploySite(this, {
      bucket: this.bucket,
      distribution: this.distribution,
      loginDomain: this.loginDomain,
      userPoolClient: props.userPoolClient,
    });
    acknowledgeDeploymentHandler(Stack.of(this), this.bucket);
  }
}

/** The site's files, and the access logs of both the bucket and CloudFront. */
interface SiteBuckets {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
}

/** The site's private bucket and the access-log bucket it shares with CloudFront. */
function siteBucket(scope: Construct, removalPolicy: RemovalPolicy): SiteBuckets {
  return loggedPrivateBucket(scope, 'Site', {
    accessLogs: {
      id: 'Logs',
      prefix: 'site/',
      expireAfter: Duration.days(90),
      what: "the site bucket's and CloudFront's access logs",
      // CloudFront standard logging writes with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    },
    // The files are rebuilt from the repository on every deploy.
    removalPolicy,
  });
}

/**
 * The distribution: the bucket by default (origin access control, SITE_CSP), API_PATHS to
 * the impact API, logged to the access-log bucket, behind the web ACL if there is one.
 */
function siteDistribution(
  scope: Construct,
  site: SiteBuckets,
  props: DashboardSiteProps,
): Distribution {
  const headers = new ResponseHeadersPolicy(scope, 'SecurityHeaders', {
    securityHeadersBehavior: securityHeaders(SITE_CSP),
  });
  const apiBehavior = apiPathBehavior(scope, props.apiOriginDomainName);
  return new Distribution(scope, 'Distribution', {
    comment: `Store-floor impact dashboard (${props.stage})`,
    defaultRootObject: 'index.html',
    defaultBehavior: {
      origin: S3BucketOrigin.withOriginAccessControl(site.bucket),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      responseHeadersPolicy: headers,
      compress: true,
    },
    // In this order: CloudFront takes the first behaviour whose pattern matches.
    additionalBehaviors: Object.fromEntries([
      ...API_WRITE_PATHS.map((path) => [
        path,
        { ...apiBehavior, allowedMethods: AllowedMethods.ALLOW_ALL },
      ]),
      ...API_PATHS.map((path) => [path, apiBehavior]),
    ]),
    enableLogging: true,
    logBucket: site.accessLogs,
    logFilePrefix: 'cloudfront/',
    ...(props.webAclId !== undefined && { webAclId: props.webAclId }),
  });
}

/** How CloudFront serves API_PATHS: HTTPS only, GET and HEAD (API_WRITE_PATHS: all), never cached, API_CSP. */
function apiPathBehavior(scope: Construct, apiOriginDomainName: string): BehaviorOptions {
  const apiHeaders = new ResponseHeadersPolicy(scope, 'ApiSecurityHeaders', {
    comment: 'The API paths: JSON, and the self-contained /docs page',
    securityHeadersBehavior: securityHeaders(API_CSP),
  });
  return {
    origin: new HttpOrigin(apiOriginDomainName),
    viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
    // No CORS, so no preflight: OPTIONS has nothing to answer.
    allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
    // With caching off, this policy forwards the Authorization header (never cached).
    cachePolicy: CachePolicy.CACHING_DISABLED,
    originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    responseHeadersPolicy: apiHeaders,
  };
}

/** The dashboard's app client signs in by the authorization code flow, back to the site. */
function signInBackToSite(userPoolClient: UserPoolClient, siteUrl: string): void {
  const client = userPoolClient.node.defaultChild as CfnUserPoolClient;
  client.allowedOAuthFlows = ['code'];
  client.allowedOAuthFlowsUserPoolClient = true;
  client.allowedOAuthScopes = [OAuthScope.OPENID.scopeName, OAuthScope.EMAIL.scopeName];
  client.callbackUrLs = [siteUrl];
  client.logoutUrLs = [siteUrl];
  client.supportedIdentityProviders = ['COGNITO'];
}

/** The Vite build and `config.json` (where to sign in) into the bucket, then an invalidation. */
function deploySite(
  scope: Construct,
  site: {
    readonly bucket: Bucket;
    readonly distribution: Distribution;
    readonly loginDomain: UserPoolDomain;
    readonly userPoolClient: UserPoolClient;
  },
): void {
  new BucketDeployment(scope, 'Deploy', {
    destinationBucket: site.bucket,
    distribution: site.distribution,
    sources: [
      Source.asset(DASHBOARD_DIR, {
        exclude: ['dist', 'src', 'node_modules'],
        bundling: {
          // Never pulled: the local bundler below always succeeds (no Docker here or in CI).
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
          local: {
            tryBundle(outputDir) {
              bundleDashboardSync(outputDir);
              return true;
            },
          },
        },
      }),
      Source.jsonData('config.json', {
        auth: {
          kind: 'cognito',
          domain: site.loginDomain.baseUrl(),
          clientId: site.userPoolClient.userPoolClientId,
        },
      }),
    ],
  });
}

function acknowledgeDistribution(distribution: IConstruct): void {
  const reasons: Record<string, string> = {
    'AwsSolutions-CFR1':
      'Leadership reads the dashboard from wherever it travels; access is by Cognito sign-in with MFA, not by geography.',
    'AwsSolutions-CFR4':
      "The distribution uses CloudFront's default certificate, whose minimum TLS version cannot be set; a custom domain with an ACM certificate (TLS 1.2) is the production upgrade.",
  };
  for (const [id, reason] of Object.entries(reasons)) {
    Validations.of(distribution).acknowledge({ id, reason });
  }
}

/**
 * BucketDeployment's handler is one CDK-managed function per stack: its runtime, its managed
 * logging policy and its S3 and CloudFront grants come from aws-cdk-lib, not from us. The
 * grants cover the CDK asset bucket (read) and the site bucket (write), and invalidating the
 * distribution (CloudFront's invalidation actions take no resource ARN).
 */
function acknowledgeDeploymentHandler(stack: Stack, site: Bucket): void {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const siteArn = `<${stack.getLogicalId(site.node.defaultChild as CfnElement)}.Arn>/*`;
  const findings: Record<string, string> = {
    'AwsSolutions-L1': "aws-cdk-lib's BucketDeployment handler pins its own runtime.",
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      "aws-cdk-lib's BucketDeployment handler logs through the AWS managed basic execution policy.",
  };
  for (const finding of [
    'Action::s3:Abort*',
    'Action::s3:DeleteObject*',
    'Action::s3:GetBucket*',
    'Action::s3:GetObject*',
    'Action::s3:List*',
    'Resource::*',
    `Resource::${siteArn}`,
    `Resource::arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${region}/*`,
    `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${region}/*`,
  ]) {
    findings[`AwsSolutions-IAM5[${finding}]`] =
      "aws-cdk-lib's BucketDeployment handler: read the CDK asset bucket, write the site bucket's objects, invalidate the distribution.";
  }
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    for (const [id, reason] of Object.entries(findings))
      Validations.of(child).acknowledge({ id, reason });
  }
}
