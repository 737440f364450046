import * as z from 'zod';
import { parseEnv } from '#shared/parse-env';
import { createMcpLambdaHandler } from './lambda.js';

/** The MCP function's environment, validated once at cold start (set by the CDK stack). */
export const McpConfig = z.object({
  /** The impact API's HTTPS origin, which the reading and ops tools call with the caller's token. */
  MCP_API_URL: z.url(),
  /** The dashboard's address, for links to the matching view. */
  MCP_DASHBOARD_URL: z.url(),
  /** The MCP endpoint's public URL, the `resource` of its metadata. */
  MCP_RESOURCE_URL: z.url(),
  /** The Cognito user pool's issuer URL. */
  MCP_AUTHORIZATION_SERVER: z.url(),
});

const config = parseEnv(McpConfig, process.env, 'MCP endpoint');

/**
 * The MCP endpoint in AWS. `report_incident` is not offered here: it has no reporter (see
 * docs/mcp.md), so an automation's token gets the definitions resource only.
 */
export const handler = createMcpLambdaHandler({
  apiUrl: () => config.MCP_API_URL,
  dashboardUrl: () => config.MCP_DASHBOARD_URL,
  resourceUrl: () => config.MCP_RESOURCE_URL,
  authorizationServer: () => config.MCP_AUTHORIZATION_SERVER,
});
