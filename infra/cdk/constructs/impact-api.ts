import { CfnOutput, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccountRecovery,
  ClientAttributes,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_THROTTLE, routesOf } from '#impact-api';
import { pipelineFunction } from './function-defaults.js';

export interface ImpactApiProps {
  readonly aggregates: TableV2;
  readonly registry: TableV2;
  readonly logRetention: RetentionDays;
  /** For the user pool and the log groups. */
  readonly removalPolicy: RemovalPolicy;
  /** Steady-state requests per second across the API. @default API_THROTTLE.rateLimit (50) */
  readonly rateLimit?: number;
  /** @default API_THROTTLE.burstLimit (100) */
  readonly burstLimit?: number;
  /**
   * A custom domain for the API, as CloudFront's origin. With one, the default execute-api
   * endpoint is disabled, so every request goes through CloudFront (its WAF rules and response
   * headers); without one it must stay on, being CloudFront's only way to the API.
   * @default none (execute-api endpoint enabled)
   */
  readonly customDomain?: ApiCustomDomain;
  /** Net impact's rate and running cost, as env (`valuationEnvironment`). @default none (503) */
  readonly valuationEnvironment?: Record<string, string>;
}

/** A domain name for the API and an ACM certificate for it in the stack's region. */
export interface ApiCustomDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

/**
 * The stage's access-log line: who called (source IP, user agent, the token's subject), what
 * (route, path, method), and how it went (status, latency, the authorizer's and integration's
 * error). Only HTTP API variables: REST API ones such as `$context.resourcePath` log as `-`.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.authorizer.claims.sub',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

/**
 * The impact API: an HTTP API whose every route requires a Cognito-issued JWT (the ID token,
 * which carries the `custom:role`, `custom:stores` and `custom:regions` claims), in front of
 * one Lambda that reads the aggregates. Users cannot write their own role or scope: the app
 * client may write no custom attribute, only administrators can.
 */
export class ImpactApi extends Construct {
  public readonly function: NodejsFunction;
  public readonly httpApi: HttpApi;
  public readonly userPool: UserPool;
  public readonly userPoolClient: UserPoolClient;
  /** The host CloudFront sends API requests to: the custom domain, or the execute-api host. */
  public readonly originDomainName: string;
  /** The custom domain's API Gateway target (point the domain's DNS here), if there is one. */
  public readonly customDomain?: DomainName;

  constructor(scope: Construct, id: string, props: ImpactApiProps) {
    super(scope, id);
    this.userPool = dashboardUserPool(this, props.removalPolicy);
    this.userPoolClient = dashboardClient(this.userPool);
    this.function = impactFunction(this, props);
    if (props.customDomain !== undefined) {
      this.customDomain = apiDomainName(this, props.customDomain);
    }
    // No CORS: the dashboard and the API share CloudFront's origin, and no other site may
    // call the API from a browser.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Store-floor impact API',
      defaultAuthorizer: new HttpUserPoolAuthorizer('CognitoJwt', this.userPool, {
        userPoolClients: [this.userPoolClient],
      }),
      createDefaultStage: false,
      disableExecuteApiEndpoint: this.customDomain !== undefined,
    });
    this.originDomainName =
      props.customDomain?.domainName ??
      `${this.httpApi.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    addThrottledStage(this, this.httpApi, props, this.customDomain);
    addImpactRoutes(this.httpApi, this.function);
    acknowledgeUserPool(this.userPool);
    this.addOutputs();
  }

  /** The user pool's ids for the dashboard, and where the custom domain's DNS must point. */
  private addOutputs(): void {
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    if (this.customDomain !== undefined) {
      new CfnOutput(this, 'ApiDomainTarget', {
        description: `Point ${this.originDomainName} (CNAME or alias) here`,
        value: this.customDomain.regionalDomainName,
      });
    }
  }
}

/**
 * The users: created by administrators only, signed in by e-mail with a strong password and
 * an authenticator app, their role and scope in custom attributes.
 */
function dashboardUserPool(scope: Construct, removalPolicy: RemovalPolicy): UserPool {
  return new UserPool(scope, 'Users', {
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    accountRecovery: AccountRecovery.EMAIL_ONLY,
    passwordPolicy: {
      minLength: 14,
      requireDigits: true,
      requireLowercase: true,
      requireUppercase: true,
      requireSymbols: true,
    },
    // Leadership data: a second factor (authenticator app) for every user.
    mfa: Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    customAttributes: {
      role: new StringAttribute({ mutable: true, maxLen: 32 }),
      stores: new StringAttribute({ mutable: true, maxLen: 2048 }),
      regions: new StringAttribute({ mutable: true, maxLen: 512 }),
      // An on-call automation's registered agent device (role `automation`): what it
      // reports as through report_incident; set by an administrator like role and scope.
      device: new StringAttribute({ mutable: true, maxLen: 64 }),
    },
    removalPolicy,
  });
}

/** The dashboard's app client: SRP sign-in, short-lived tokens, no custom attribute writable. */
function dashboardClient(userPool: UserPool): UserPoolClient {
  return userPool.addClient('Dashboard', {
    authFlows: { userSrp: true },
    generateSecret: false,
    idTokenValidity: Duration.hours(1),
    accessTokenValidity: Duration.hours(1),
    refreshTokenValidity: Duration.days(1),
    preventUserExistenceErrors: true,
    readAttributes: new ClientAttributes()
      .withStandardAttributes({ email: true })
      .withCustomAttributes('role', 'stores', 'regions', 'device'),
    writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
  });
}

/** The one Lambda behind every route, reading the aggregates and the registry. */
function impactFunction(scope: Construct, props: ImpactApiProps): NodejsFunction {
  return pipelineFunction(scope, {
    name: 'impact-api',
    entry: 'functions/impact-api/handler.ts',
    description: 'Answers leadership impact queries from the aggregates',
    tables: [
      { name: 'aggregates', table: props.aggregates, access: 'read' },
      { name: 'registry', table: props.registry, access: 'read' },
    ],
    ...(props.valuationEnvironment !== undefined && { environment: props.valuationEnvironment }),
    logRetention: props.logRetention,
    removalPolicy: props.removalPolicy,
  }).fn;
}

/** The custom domain (a regional endpoint with its ACM certificate). */
function apiDomainName(scope: Construct, domain: ApiCustomDomain): DomainName {
  return new DomainName(scope, 'Domain', {
    domainName: domain.domainName,
    certificate: Certificate.fromCertificateArn(scope, 'Certificate', domain.certificateArn),
  });
}

/**
 * The `$default` stage: deployed on every change, each request logged as ACCESS_LOG_FIELDS,
 * throttled as a whole, and mapped to the custom domain if there is one.
 */
function addThrottledStage(
  scope: Construct,
  httpApi: HttpApi,
  props: ImpactApiProps,
  customDomain: DomainName | undefined,
): void {
  const accessLogs = new LogGroup(scope, 'AccessLogs', {
    retention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
  httpApi.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
    throttle: {
      rateLimit: props.rateLimit ?? API_THROTTLE.rateLimit,
      burstLimit: props.burstLimit ?? API_THROTTLE.burstLimit,
    },
    ...(customDomain !== undefined && { domainMapping: { domainName: customDomain } }),
  });
}

/**
 * The impact API's routes of ROUTES (`function: 'impact-api'`) to the function; the public ones
 * without an authorizer, acknowledged. The ops routes are the OpsApi construct's.
 */
function addImpactRoutes(httpApi: HttpApi, fn: NodejsFunction): void {
  const integration = new HttpLambdaIntegration('Impact', fn);
  for (const route of routesOf('impact-api')) {
    const added = httpApi.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration,
      // The API's own documentation is public; everything else takes the default JWT authorizer.
      ...(!route.auth && { authorizer: new HttpNoneAuthorizer() }),
    });
    if (route.auth) continue;
    for (const publicRoute of added) {
      Validations.of(publicRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The API documentation (OpenAPI document and docs page) is public on purpose; it holds no data.',
      });
    }
  }
}

/** cdk-nag: why the user pool goes without the Plus tier. */
function acknowledgeUserPool(userPool: UserPool): void {
  Validations.of(userPool).acknowledge({
    id: 'AwsSolutions-COG8',
    reason:
      'Users are few and created by administrators only (no self sign-up), with MFA required; the Plus tier threat protection is charged per user and is worth it only if sign-up is opened.',
  });
}
