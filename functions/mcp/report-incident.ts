import type { OncallIncidentInput } from '../../edge-client/src/contract/index.js';
import type { EdgeClient } from '../../edge-client/src/core/edge-client.js';
import type { ReportedIncident } from './server.js';

/**
 * `report_incident` through an edge client: validated against the contract (an invalid
 * incident is refused with the fields named and nothing is stored), spooled durably, then
 * delivered to the stream like any other event, so the pipeline counts its hours saved.
 * `client` may be a function that opens the edge client on first use.
 */
export function reportIncidentVia(client: EdgeClient | (() => Promise<EdgeClient>)) {
  return async (incident: OncallIncidentInput): Promise<ReportedIncident> => {
    const edge = typeof client === 'function' ? await client() : client;
    const [event] = await edge.send(incident);
    if (event === undefined) throw new Error('the edge client accepted nothing');
    return { eventId: event.eventId, deviceId: event.deviceId, seq: event.seq };
  };
}
