import { createHash } from 'node:crypto';
import { OncallIncidentReport } from '#contract';

/**
 * The pipeline's own incidents, as the on-call toolkit reports them: an action that resolved
 * one (a dead-letter replay) counts its hours saved through the same `oncall_incident` path as
 * any automation (hours-saved.ts has the class's baseline).
 */
export const TOOLKIT_INCIDENT_CLASSES = { replay: 'dead_letter_replay' } as const;

/** Engineer minutes a toolkit action takes, unless the operator says otherwise. */
export const TOOLKIT_ENGINEER_MINUTES = 5;

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
 * The incident a replay resolved: the letters it counted, opened when the first of them was
 * dead-lettered. None when it counted nothing (nothing was resolved). The CLI and the MCP
 * tool report the same replay with the same id.
 */
export function replayIncident(
  results: readonly {
    readonly id: string;
    readonly outcome: string;
    readonly deadLetteredAt?: string;
  }[],
  input: { readonly teamId: string; readonly engineerMinutes: number; readonly now: Date },
): OncallIncidentReport | undefined {
  const counted = results.filter((r) => r.outcome === 'counted');
  if (counted.length === 0) return undefined;
  const first = counted
    .map((r) => r.deadLetteredAt ?? '')
    .filter((at) => at !== '')
    .sort()[0];
  return toolkitIncident({
    ...input,
    incidentClass: TOOLKIT_INCIDENT_CLASSES.replay,
    resolved: counted.map((r) => r.id),
    openedAt: first ?? input.now.toISOString(),
  });
}
