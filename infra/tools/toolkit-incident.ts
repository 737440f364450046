import { createHash } from 'node:crypto';
import { OncallIncidentReport } from '#contract';
import { loadDaemonConfig, startDaemon } from '#edge-client';

/** The incident class a toolkit action reports (its baseline: hours-saved.ts). */
export const TOOLKIT_INCIDENT_CLASSES = { replay: 'dead_letter_replay' } as const;

/** The environment variable naming the toolkit's edge config (its registered agent device). */
export const TOOLKIT_EDGE_CONFIG = 'TOOLKIT_EDGE_CONFIG';

/**
 * The pipeline incident a toolkit action resolved, as an on-call incident of the contract:
 * `assisted` (an operator ran the tool), opened when the first thing it fixed failed and
 * resolved now. Its id is a hash of what it resolved, so reporting the same resolution again
 * counts it once.
 */
export function toolkitIncident(input: {
  readonly teamId: string;
  readonly incidentClass: string;
  /** What the action resolved (the letters' ids), and when the first of them failed. */
  readonly resolved: readonly string[];
  readonly openedAt: string;
  readonly engineerMinutes: number;
  readonly now: Date;
}): OncallIncidentReport {
  const digest = createHash('sha256')
    .update(`${input.incidentClass}\n${[...input.resolved].sort().join('\n')}`)
    .digest('hex')
    .slice(0, 24);
  const now = input.now.toISOString();
  return OncallIncidentReport.parse({
    type: 'oncall_incident',
    occurredAt: now,
    incidentId: `${input.incidentClass}-${digest}`,
    teamId: input.teamId,
    incidentClass: input.incidentClass,
    // ISO-8601 UTC strings sort as instants: the earlier of the two, never after resolvedAt.
    openedAt: [input.openedAt, now].sort()[0],
    resolvedAt: now,
    resolution: 'assisted',
    engineerMinutes: input.engineerMinutes,
  });
}

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
