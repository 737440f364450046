/**
 * The MCP server's face (`#mcp`): the Streamable HTTP handler the local stack mounts at
 * `/mcp`, and the incident reporter it sends through. `stdio.ts` is the stdio entry
 * (`npm run mcp`).
 */
export { createMcpHttpHandler, type McpGatewayRequest, type McpHttpOptions } from './http.js';
export { createMcpLambdaHandler, MCP_MAX_BODY_BYTES, type McpLambdaOptions } from './lambda.js';
export {
  bearerChallenge,
  MCP_PATH,
  PROTECTED_RESOURCE_PATHS,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from './protected-resource.js';
export { incidentReporter } from './report-incident.js';
export { createImpactMcpServer, type ImpactMcpOptions } from './server.js';
