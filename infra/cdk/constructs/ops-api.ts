import type { RemovalPolicy } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routesOf } from '#impact-api';
import { pipelineFunction } from './function-defaults.js';

export interface OpsApiProps {
  /** The HTTP API (with its JWT authorizer as the default) the ops routes are added to. */
  readonly httpApi: HttpApi;
  /** The processor's dead-letter table, which the ops function may only read. */
  readonly deadLetters: TableV2;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The ops API: the `/v1/ops/*` routes of the HTTP API's route list (`function: 'ops-api'`),
 * behind the same stage, throttle and Cognito JWT authorizer as the impact API, in front of a
 * function of its own. It is separate for least privilege: the impact API keeps its read-only
 * grants on the aggregates and the registry, and this one reads the dead-letter table only.
 * The handler answers operator tokens (`custom:role` = `operator`) only.
 */
export class OpsApi extends Construct {
  public readonly function: NodejsFunction;
  /** The routes added, one per ops route of ROUTES. */
  public readonly routes: readonly HttpRoute[];

  constructor(scope: Construct, id: string, props: OpsApiProps) {
    super(scope, id);
    this.function = pipelineFunction(this, {
      name: 'ops-api',
      entry: 'functions/ops-api/handler.ts',
      description: "Answers operators' dead-letter queries (read-only)",
      tables: [{ name: 'deadLetters', table: props.deadLetters, access: 'read' }],
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    }).fn;
    const integration = new HttpLambdaIntegration('Ops', this.function);
    // Every ops route takes the API's default authorizer (the Cognito JWT): none is public.
    this.routes = routesOf('ops-api').flatMap((route) =>
      props.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
      }),
    );
  }
}
