/**
 * `npm run mcp`: the impact MCP server on standard input and output, for an assistant that
 * launches it. Configuration (environment):
 *
 *   IMPACT_API_TOKEN   the caller's ID token (required): the server sees what it may see.
 *                      An operator's token (custom:role operator) gets the ops tools
 *                      (list_dead_letters, explain_dead_letter) instead of the reading tools;
 *                      the role is read from the token to choose the offer only, the API
 *                      verifies the token on every call.
 *   IMPACT_API_URL     the impact API (default http://127.0.0.1:3000, the local stack)
 *   DASHBOARD_URL      for links to dashboard views (default: the API URL)
 *   MCP_EDGE_CONFIG    an edge daemon config file (see docs/edge.md, "The daemon"): enables
 *                      report_incident, sending through an edge client with that spool,
 *                      stream and credentials, as the config's `deviceId` (the automation's
 *                      registered agent device; its IoT certificate is the credential). A
 *                      relay config is refused: the device is the config's, never a caller's.
 *
 * Standard output carries the protocol; logs go to standard error.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { decodeJwt } from 'jose';
import { loadDaemonConfig, startDaemon } from '#edge-client';
import { isOperator, principalFrom } from '#impact-api';
import { impactApiClient } from './impact-client.js';
import { incidentReporter } from './report-incident.js';
import { createImpactMcpServer } from './server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const token = process.env.IMPACT_API_TOKEN;
if (token === undefined || token === '') {
  process.stderr.write(
    'IMPACT_API_TOKEN is required: the ID token of the person or automation the assistant acts for (locally: npm run token).\n',
  );
  process.exit(2);
}
const apiUrl = process.env.IMPACT_API_URL ?? 'http://127.0.0.1:3000';
const edgeConfigFile = process.env.MCP_EDGE_CONFIG;
const edgeConfig = edgeConfigFile === undefined ? undefined : loadDaemonConfig(edgeConfigFile);
if (edgeConfig?.relay === true) {
  process.stderr.write(
    `MCP_EDGE_CONFIG ${edgeConfigFile}: a relay config cannot report incidents; set the automation's agent deviceId instead of "relay".\n`,
  );
  process.exit(2);
}
const edge =
  edgeConfig === undefined
    ? undefined
    : await startDaemon(
        { ...edgeConfig, http: undefined, stdin: false },
        { log: (line) => process.stderr.write(`${line}\n`) },
      );

/** The token's principal, unverified: it only chooses which tools to offer. */
function offeredPrincipal(jwt: string) {
  try {
    return principalFrom(decodeJwt(jwt));
  } catch {
    return undefined;
  }
}
const principal = offeredPrincipal(token);
const api = impactApiClient(apiUrl, token);

const server = createImpactMcpServer({
  ...(principal !== undefined && isOperator(principal) ? { opsApi: api } : { api }),
  dashboardUrl: process.env.DASHBOARD_URL ?? apiUrl,
  // The edge client sends as its configured device and assigns seq.
  ...(edge !== undefined && { reportIncident: incidentReporter(edge.client) }),
});
await server.connect(new StdioServerTransport());
const stop = async () => {
  await server.close();
  await edge?.stop();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
