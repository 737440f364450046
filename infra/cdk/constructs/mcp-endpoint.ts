import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  type HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MCP_PATH, PROTECTED_RESOURCE_PATHS } from '#mcp';
import { pipelineFunction } from './function-defaults.js';

export interface McpEndpointProps {
  /** The HTTP API (JWT authorizer as its default, throttled stage) `/mcp` is added to. */
  readonly httpApi: HttpApi;
  /** The impact API's HTTPS origin, which the tools call with the caller's own token. */
  readonly apiUrl: string;
  /** The public origin (CloudFront's), where assistants reach `/mcp` and its metadata. */
  readonly publicUrl: string;
  /** The Cognito user pool's issuer URL (`UserPool.userPoolProviderUrl`). */
  readonly authorizationServer: string;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The MCP server in AWS: a function serving stateless Streamable HTTP at `POST /mcp` (GET and
 * DELETE answer 405), behind the HTTP API's Cognito JWT authorizer and its stage throttle like
 * every API route, and the public RFC 9728 protected-resource metadata. Its tools call the
 * impact API over HTTPS with the caller's own token, so the function holds no data grant at all:
 * the API's handlers scope every answer as they do for the dashboard. `report_incident` is not
 * offered here (docs/mcp.md says why).
 */
export class McpEndpoint extends Construct {
  public readonly function: NodejsFunction;
  /** `/mcp` (POST, GET, DELETE; authorized) and the metadata routes (GET; public). */
  public readonly routes: readonly HttpRoute[];
  /** The endpoint's public URL, the `resource` of its metadata. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: McpEndpointProps) {
    super(scope, id);
    this.url = `${props.publicUrl}${MCP_PATH}`;
    this.function = pipelineFunction(this, {
      name: 'mcp',
      entry: 'functions/mcp/handler.ts',
      description:
        "Serves the MCP tools (stateless Streamable HTTP) over the impact API, with the caller's token",
      environment: {
        MCP_API_URL: props.apiUrl,
        MCP_DASHBOARD_URL: `${props.publicUrl}/`,
        MCP_RESOURCE_URL: this.url,
        MCP_AUTHORIZATION_SERVER: props.authorizationServer,
      },
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    }).fn;
    const integration = new HttpLambdaIntegration('Mcp', this.function);
    const mcp = props.httpApi.addRoutes({
      path: MCP_PATH,
      methods: [HttpMethod.POST, HttpMethod.GET, HttpMethod.DELETE],
      integration,
    });
    const metadata = PROTECTED_RESOURCE_PATHS.flatMap((path) =>
      props.httpApi.addRoutes({
        path,
        methods: [HttpMethod.GET],
        integration,
        authorizer: new HttpNoneAuthorizer(),
      }),
    );
    for (const route of metadata) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'RFC 9728 protected-resource metadata is public by design: a client reads it before it has a token. It holds no data.',
      });
    }
    this.routes = [...mcp, ...metadata];
  }
}
