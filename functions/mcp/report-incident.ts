import type { OncallIncidentReport } from '#contract';
import type { EdgeClient } from '#edge-client';
import type { ReportedIncident } from './server.js';

/**
 * `report_incident` through an edge client: the report (already checked against the
 * contract's `OncallIncidentReport`) is spooled durably, then delivered to the stream like
 * any other event, so the pipeline counts its hours saved. The edge client assigns
 * `schemaVersion`, `eventId` and `seq`; the device is either `deviceId` (the verified caller's,
 * for a client that serves many automations) or, when absent, the client's own configured one.
 * `client` may be a function that opens the edge client on first use.
 */
export function incidentReporter(
  client: EdgeClient | (() => Promise<EdgeClient>),
  deviceId?: string,
) {
  return async (report: OncallIncidentReport): Promise<ReportedIncident> => {
    const edge = typeof client === 'function' ? await client() : client;
    const [event] = await edge.send({
      ...report,
      ...(deviceId !== undefined && { deviceId }),
    });
    if (event === undefined) throw new Error('the edge client accepted nothing');
    return { eventId: event.eventId, deviceId: event.deviceId, seq: event.seq };
  };
}
