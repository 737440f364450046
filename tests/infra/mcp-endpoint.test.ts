import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MCP_PATH, PROTECTED_RESOURCE_PATHS } from '../../functions/mcp/protected-resource.js';
import { API_PATHS, API_WRITE_PATHS } from '../../infra/cdk/constructs/dashboard-site.js';
import { FUNCTION_SIZING } from '../../infra/cdk/constructs/function-defaults.js';
import { TelemetryPipelineStack } from '../../infra/cdk/telemetry-pipeline-stack.js';

let template: Template;

beforeAll(() => {
  template = Template.fromStack(new TelemetryPipelineStack(new App(), 'Test'));
});

type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

/** The MCP function's logical id and resource. */
function mcpFunction(): [string, Resource] {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith('Mcp'),
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

/** The route whose key is `key`. */
function route(key: string): Resource {
  const found = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
    (r) => (r as Resource).Properties.RouteKey === key,
  ) as Resource[];
  expect(found, key).toHaveLength(1);
  return found[0] as Resource;
}

describe('Construct: McpEndpoint', () => {
  it('puts /mcp (POST, GET, DELETE) behind the Cognito JWT authorizer', () => {
    const [authorizerId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    for (const method of ['POST', 'GET', 'DELETE']) {
      expect(route(`${method} ${MCP_PATH}`).Properties).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it('serves the protected-resource metadata in both forms, public, from the MCP function', () => {
    const [fnId] = mcpFunction();
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const keys = [...PROTECTED_RESOURCE_PATHS.map((p) => `GET ${p}`), `POST ${MCP_PATH}`];
    for (const key of keys) {
      const props = route(key).Properties;
      if (key.startsWith('GET')) expect(props.AuthorizationType, key).toBe('NONE');
      // Its target is `integrations/<id>`: the integration that invokes the MCP function.
      const target = props.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integrationId = target['Fn::Join'][1][1].Ref;
      expect(JSON.stringify(integrations[integrationId]), key).toContain(fnId);
    }
  });

  it('runs on Node.js 22, sized and capped as FUNCTION_SIZING says', () => {
    const [, fn] = mcpFunction();
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      MemorySize: FUNCTION_SIZING.mcp.memoryMb,
      Timeout: FUNCTION_SIZING.mcp.timeoutSeconds,
      ReservedConcurrentExecutions: FUNCTION_SIZING.mcp.reservedConcurrency,
    });
    expect(FUNCTION_SIZING.mcp.timeoutSeconds).toBeLessThan(30);
    // Below the impact API's cap: every tool call is an impact API call too.
    expect(FUNCTION_SIZING.mcp.reservedConcurrency).toBeLessThan(
      FUNCTION_SIZING['impact-api'].reservedConcurrency,
    );
  });

  it('grants the function nothing but its own logs and tracing: no table, no stream, no key', () => {
    const [fnId, fn] = mcpFunction();
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .map((p) => p as Resource)
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.length, fnId).toBeGreaterThan(0);
    expect(
      actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')),
      fnId,
    ).toEqual([]);
    // No managed policy (the basic-execution one allows any log group).
    const role = template.findResources('AWS::IAM::Role')[roleId] as Resource;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('knows its public URL, the API origin and the user pool issuer from the stack', () => {
    const [, fn] = mcpFunction();
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.MCP_RESOURCE_URL)).toContain('DomainName');
    expect(JSON.stringify(env.MCP_RESOURCE_URL)).toContain(MCP_PATH);
    expect(JSON.stringify(env.MCP_AUTHORIZATION_SERVER)).toContain('ProviderURL');
    expect(JSON.stringify(env.MCP_API_URL)).toContain('execute-api');
    template.hasOutput('McpUrl', { Value: Match.anyValue() });
  });

  it('is throttled with the rest of the API by the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: Match.anyValue(),
        ThrottlingBurstLimit: Match.anyValue(),
      },
    });
    // One stage, so no route of the MCP function escapes its throttle.
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'))).toHaveLength(1);
  });

  it('is reached through CloudFront: /mcp takes POST, the metadata GET', () => {
    expect(API_WRITE_PATHS).toContain(MCP_PATH);
    for (const path of PROTECTED_RESOURCE_PATHS) expect(API_PATHS).toContain(path);
  });
});
