/**
 * `npm run mcp`: the impact MCP server on standard input and output, for an assistant that
 * launches it. Configuration (environment):
 *
 *   IMPACT_API_TOKEN   the caller's ID token (required): the server sees what it may see
 *   IMPACT_API_URL     the impact API (default http://127.0.0.1:3000, the local stack)
 *   DASHBOARD_URL      for links to dashboard views (default: the API URL)
 *   MCP_EDGE_CONFIG    an edge daemon config file (see README, "The daemon"): enables
 *                      report_incident, sending through an edge client with that spool,
 *                      stream, device id and credentials
 *
 * Standard output carries the protocol; logs go to standard error.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { startDaemon } from '../../edge-client/src/cli/daemon.js';
import { loadDaemonConfig } from '../../edge-client/src/cli/daemon-config.js';
import { impactApiClient } from './impact-client.js';
import { reportIncidentVia } from './report-incident.js';
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
const edgeConfig = process.env.MCP_EDGE_CONFIG;
const edge =
  edgeConfig === undefined
    ? undefined
    : await startDaemon(
        { ...loadDaemonConfig(edgeConfig), http: undefined, stdin: false },
        { log: (line) => process.stderr.write(`${line}\n`) },
      );

const server = createImpactMcpServer({
  api: impactApiClient(apiUrl, token),
  dashboardUrl: process.env.DASHBOARD_URL ?? apiUrl,
  ...(edge !== undefined && { reportIncident: reportIncidentVia(edge.client) }),
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
