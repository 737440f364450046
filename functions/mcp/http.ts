import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { OncallIncidentReport } from '#contract';
import { BodyTooLargeError, readBody } from '#edge-client';
import type { Principal } from '#impact-api';
import type { KeyedTokenBucketLimits } from '#shared/keyed-token-buckets';
import {
  jsonRpcErrorBody,
  mcpServerFactory,
  ProtoKeyError,
  refuseProtoKeys,
} from './caller-server.js';
import type { ReportedIncident } from './server.js';

export { REPORT_LIMITS, ReportLimitError } from './caller-server.js';

/** What the gateway in front of `/mcp` hands over: the verified caller and its body limit. */
export interface McpGatewayRequest {
  /** The bearer token, verified; the reading tools call the API with it. */
  readonly token: string;
  /** The principal its claims grant (`principalFrom`, the API's own claims check). */
  readonly principal: Principal;
  /** The gateway's request-body limit, the same as for the API's routes. */
  readonly maxBodyBytes: number;
}

export interface McpHttpOptions {
  /** The impact API's address (read per request: the stack knows it once it listens). */
  readonly apiUrl: () => string;
  /** The dashboard's address, for links to the matching view. */
  readonly dashboardUrl: () => string;
  /**
   * Sends a report as `deviceId` (the automation's `custom:device`), assigning `seq`; e.g.
   * `incidentReporter(edgeClient, deviceId)` over an edge client that serves many devices.
   */
  readonly reporterFor: (
    deviceId: string,
  ) => (report: OncallIncidentReport) => Promise<ReportedIncident>;
  /** @default REPORT_LIMITS */
  readonly reportLimits?: KeyedTokenBucketLimits;
}

/**
 * The MCP server over Streamable HTTP, stateless: each request gets a server bound to its
 * caller. A reader's token (leadership, region or store manager) gets the reading tools
 * (answering what that token may see through the API); an operator's token gets only the ops
 * tools (dead letters, their replay, pipeline status; through the ops routes, with its token);
 * an automation's token gets only `report_incident`, sent as the automation's own device,
 * within a per-automation write limit. One JSON-RPC message per request: batches (dropped from
 * MCP in 2025-06-18) are refused, so every call passes the gateway's throttle.
 */
export function createMcpHttpHandler(options: McpHttpOptions) {
  const serverFor = mcpServerFactory(options);

  return async (req: IncomingMessage, res: ServerResponse, caller: McpGatewayRequest) => {
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
      return jsonRpcError(res, 405, -32000, 'Method not allowed', { allow: 'POST' });
    }
    let raw: Buffer;
    try {
      // Nothing past the limit is read: the 413 goes out at once and the connection closes.
      raw = await readBody(req, { limit: caller.maxBodyBytes, discardLimit: caller.maxBodyBytes });
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return jsonRpcError(
        res,
        413,
        -32000,
        `Payload Too Large: request body must not exceed ${caller.maxBodyBytes} bytes`,
        { connection: 'close' },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'), refuseProtoKeys);
    } catch (error) {
      if (error instanceof ProtoKeyError) return jsonRpcError(res, 400, -32600, error.message);
      return jsonRpcError(res, 400, -32700, 'Parse error');
    }
    if (Array.isArray(body)) {
      return jsonRpcError(
        res,
        400,
        -32600,
        'Invalid Request: JSON-RPC batches are not accepted (MCP 2025-06-18 dropped them); send one message per request',
      );
    }
    const server = serverFor(caller.principal, caller.token);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
}

function jsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const text = jsonRpcErrorBody(code, message);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
