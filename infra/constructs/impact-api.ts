import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  ClientAttributes,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../functions/impact-api/routes.js';
import { API_THROTTLE } from '../../functions/impact-api/throttling.js';
import { TABLES } from '../../functions/shared/resources.js';
import { FUNCTION_DEFAULTS, LOG_RETENTION } from './function-defaults.js';

export interface ImpactApiProps {
  readonly aggregates: TableV2;
  readonly registry: TableV2;
  /** Steady-state requests per second across the API. @default API_THROTTLE.rateLimit (50) */
  readonly rateLimit?: number;
  /** @default API_THROTTLE.burstLimit (100) */
  readonly burstLimit?: number;
}

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

  constructor(scope: Construct, id: string, props: ImpactApiProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
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
      customAttributes: {
        role: new StringAttribute({ mutable: true, maxLen: 32 }),
        stores: new StringAttribute({ mutable: true, maxLen: 2048 }),
        regions: new StringAttribute({ mutable: true, maxLen: 512 }),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPoolClient = this.userPool.addClient('Dashboard', {
      authFlows: { userSrp: true },
      generateSecret: false,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      preventUserExistenceErrors: true,
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true })
        .withCustomAttributes('role', 'stores', 'regions'),
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
    });

    this.function = new NodejsFunction(this, 'Function', {
      ...FUNCTION_DEFAULTS,
      entry: new URL('../../functions/impact-api/handler.ts', import.meta.url).pathname,
      handler: 'handler',
      description: 'Answers leadership impact queries from the aggregates',
      logGroup: new LogGroup(this, 'Logs', { retention: LOG_RETENTION }),
      environment: {
        ...FUNCTION_DEFAULTS.environment,
        [TABLES.aggregates.envVar]: props.aggregates.tableName,
        [TABLES.registry.envVar]: props.registry.tableName,
      },
    });
    props.aggregates.grantReadData(this.function);
    props.registry.grantReadData(this.function);

    const authorizer = new HttpUserPoolAuthorizer('CognitoJwt', this.userPool, {
      userPoolClients: [this.userPoolClient],
    });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Store-floor impact API',
      defaultAuthorizer: authorizer,
      corsPreflight: {
        allowMethods: [CorsHttpMethod.GET],
        allowHeaders: ['authorization', 'content-type'],
        allowOrigins: ['*'],
        maxAge: Duration.hours(1),
      },
      createDefaultStage: false,
    });
    this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.rateLimit ?? API_THROTTLE.rateLimit,
        burstLimit: props.burstLimit ?? API_THROTTLE.burstLimit,
      },
    });
    const integration = new HttpLambdaIntegration('Impact', this.function);
    for (const route of ROUTES) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        // The API's own documentation is public; everything else takes the default JWT authorizer.
        ...(!route.auth && { authorizer: new HttpNoneAuthorizer() }),
      });
    }
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }
}
