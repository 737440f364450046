import type { OncallIncidentReport } from '#contract';
import { loadDaemonConfig, startDaemon } from '#edge-client';

/** The environment variable naming the toolkit's edge config (its registered agent device). */
export const TOOLKIT_EDGE_CONFIG = 'TOOLKIT_EDGE_CONFIG';

/**
 * Sends `report` through an edge client opened from the edge config in `configFile` (the
 * toolkit's agent device, registered to the team; a relay config is refused, as at the MCP
 * server), and waits up to 10 s for it to reach the stream. Undelivered, it stays in that
 * config's spool and goes with the next report.
 */
export async function reportToolkitIncident(
  configFile: string,
  report: OncallIncidentReport,
): Promise<{ eventId: string; deviceId: string; delivered: boolean }> {
  const config = loadDaemonConfig(configFile);
  if (config.relay === true) {
    throw new Error(
      `${configFile}: a relay config cannot report incidents; give the agent's deviceId`,
    );
  }
  const daemon = await startDaemon(
    { ...config, http: undefined, stdin: false },
    { log: () => undefined },
  );
  try {
    // The edge client assigns schemaVersion, eventId, seq and the device: the config's.
    const [sent] = await daemon.client.send(report);
    if (sent === undefined) throw new Error('the edge client accepted nothing');
    const delivered = await daemon.client.flush(10_000);
    return { eventId: sent.eventId, deviceId: sent.deviceId, delivered };
  } finally {
    await daemon.stop();
  }
}
