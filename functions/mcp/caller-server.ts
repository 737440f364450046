import type { OncallIncidentReport } from '#contract';
import { type KeyedTokenBucketLimits, KeyedTokenBuckets } from '#shared/keyed-token-buckets';
import { isOperator, isReader, type Principal } from '#shared/principal';
import { impactApiClient } from './impact-client.js';
import { createImpactMcpServer, type ReportedIncident } from './server.js';

/** Writes per automation: 20 reports at once, then one a second. */
export const REPORT_LIMITS: KeyedTokenBucketLimits = {
  burst: 20,
  ratePerSecond: 1,
  maxKeys: 10_000,
};

/** What a server for one caller is built from; `reporterFor` absent, automations get no tool. */
export interface McpServerSource {
  /** The impact API's address (read per request: the stack knows it once it listens). */
  readonly apiUrl: () => string;
  /** The dashboard's address, for links to the matching view. */
  readonly dashboardUrl: () => string;
  /**
   * Sends a report as `deviceId` (the automation's `custom:device`), assigning `seq`; e.g.
   * `incidentReporter(edgeClient, deviceId)` over an edge client that serves many devices.
   * @default none: `report_incident` is not offered
   */
  readonly reporterFor?: (
    deviceId: string,
  ) => (report: OncallIncidentReport) => Promise<ReportedIncident>;
  /** @default REPORT_LIMITS */
  readonly reportLimits?: KeyedTokenBucketLimits;
  /** How long one API call of a tool may take. @default API_TIMEOUT_MS */
  readonly apiTimeoutMs?: number;
}

/** A report refused by the per-automation write limit. */
export class ReportLimitError extends Error {
  constructor(
    readonly deviceId: string,
    readonly retryAfterMs: number,
    limits: KeyedTokenBucketLimits,
  ) {
    super(
      `Too many reports from ${deviceId}: at most ${limits.burst} at once, then ${limits.ratePerSecond} per second. Nothing was sent; retry in ${Math.ceil(retryAfterMs / 1000)} s.`,
    );
    this.name = 'ReportLimitError';
  }
}

/**
 * One MCP server per caller, from the one tool list: a reader's token gets the reading tools, an
 * operator's the ops tools, an automation's `report_incident` (within its write limit) when
 * there is a reporter, and nothing but the definitions resource otherwise. Shared by the local
 * transport and the Lambda, so a tool added to the list is served by both.
 */
export function mcpServerFactory(options: McpServerSource) {
  const limits = options.reportLimits ?? REPORT_LIMITS;
  const buckets = new KeyedTokenBuckets(limits);
  const limited =
    (deviceId: string, send: (report: OncallIncidentReport) => Promise<ReportedIncident>) =>
    async (report: OncallIncidentReport) => {
      const taken = buckets.take(deviceId);
      if (!taken.ok) throw new ReportLimitError(deviceId, taken.retryAfterMs, limits);
      return send(report);
    };
  return (principal: Principal, token: string) => {
    const dashboardUrl = options.dashboardUrl();
    const api = () => impactApiClient(options.apiUrl(), token, options.apiTimeoutMs);
    if (isReader(principal)) return createImpactMcpServer({ api: api(), dashboardUrl });
    if (isOperator(principal)) return createImpactMcpServer({ opsApi: api(), dashboardUrl });
    const reporterFor = options.reporterFor;
    return createImpactMcpServer(
      reporterFor === undefined
        ? { dashboardUrl }
        : {
            dashboardUrl,
            reportIncident: limited(principal.device, reporterFor(principal.device)),
          },
    );
  };
}

/** A JSON-RPC error body with no id, as the transport answers a request it refuses. */
export function jsonRpcErrorBody(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/** A body with a `__proto__` key anywhere. */
export class ProtoKeyError extends Error {
  constructor() {
    super('Invalid Request: no key may be named __proto__');
    this.name = 'ProtoKeyError';
  }
}

/**
 * A JSON.parse reviver that refuses `__proto__` keys. JSON.parse keeps one as an own key, but
 * the SDK copies messages by assignment before the tool's strict schema sees them, which turns
 * it into the object's prototype: an unknown argument would then pass unseen, not refused.
 */
export function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new ProtoKeyError();
  return value;
}
