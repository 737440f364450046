import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import type { OncallIncidentReport } from '#contract';
import { replayIncident } from '../../functions/domain/toolkit-incident.js';
import type { ImpactApiClient } from '../../functions/mcp/impact-client.js';
import { createImpactMcpServer, type ReportedIncident } from '../../functions/mcp/server.js';

/**
 * replay_dead_letters reports the incident a confirmed replay resolved, as the CLI does: the
 * same id for the same letters, nothing for a dry run or a replay that counted nothing. The
 * ops API is a fixed answer here (the route itself is tested over HTTP in the e2e suite).
 */
const LETTERS = [
  { id: '2026-12-01/shardId-000000000000/4966/0', at: '2026-12-01T10:00:00.000Z' },
  { id: '2026-12-01/shardId-000000000000/4967/0', at: '2026-12-01T09:00:00.000Z' },
];

function opsApi(outcome: 'counted' | 'refused_again', posted: unknown[]): ImpactApiClient {
  return {
    get: async () => {
      throw new Error('no GET here');
    },
    post: async <T>(_path: string, body: unknown): Promise<T> => {
      posted.push(body);
      const dryRun = (body as { dryRun: boolean }).dryRun;
      return {
        dryRun,
        confirm: `sha256:${'a'.repeat(64)}`,
        selection: { by: 'ids', truncated: false, missing: [] },
        letters: LETTERS.length,
        records: { wanted: 2, stream: 2, archive: 0, notFound: 0 },
        counted: dryRun ? 0 : 2,
        duplicates: 0,
        deadLettered: 0,
        results: LETTERS.map((l) => ({
          id: l.id,
          reason: 'unknown_key',
          count: 1,
          deadLetteredAt: l.at,
          outcome: dryRun ? 'would_replay' : outcome,
          source: 'stream',
        })),
        notes: [],
      } as T;
    },
  };
}

async function connect(
  api: ImpactApiClient,
  reportIncident?: (r: OncallIncidentReport) => Promise<ReportedIncident>,
) {
  const server = createImpactMcpServer({
    opsApi: api,
    dashboardUrl: 'http://dashboard.invalid',
    ...(reportIncident !== undefined && { reportIncident }),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

describe('MCP replay_dead_letters: the toolkit reports the incident it resolved', () => {
  it('reports a confirmed replay once, with the id the CLI gives the same letters, opened at the first letter', async () => {
    const posted: unknown[] = [];
    const reports: OncallIncidentReport[] = [];
    const client = await connect(opsApi('counted', posted), async (r) => {
      reports.push(r);
      return { eventId: '01JABCDEFGHJKMNPQRSTVWXYZ0', deviceId: 'agent-toolkit', seq: 1 };
    });
    const ids = LETTERS.map((l) => l.id);
    const reportIncident = { teamId: 'team-pipeline', engineerMinutes: 4 };

    const plan = await client.callTool({
      name: 'replay_dead_letters',
      arguments: { ids, reportIncident },
    });
    const done = await client.callTool({
      name: 'replay_dead_letters',
      arguments: { ids, confirm: `sha256:${'a'.repeat(64)}`, reportIncident },
    });

    expect(plan.isError).toBeFalsy();
    expect(done.isError).toBeFalsy();
    // The API never sees the report's arguments; the dry run reports nothing.
    expect(posted).toEqual([
      { ids, dryRun: true },
      { ids, confirm: `sha256:${'a'.repeat(64)}`, dryRun: false },
    ]);
    expect(reports).toHaveLength(1);
    const cli = replayIncident(
      LETTERS.map((l) => ({ id: l.id, outcome: 'counted', deadLetteredAt: l.at })),
      { ...reportIncident, now: new Date() },
    );
    expect(reports[0]).toMatchObject({
      type: 'oncall_incident',
      incidentId: cli?.incidentId,
      teamId: 'team-pipeline',
      incidentClass: 'dead_letter_replay',
      resolution: 'assisted',
      engineerMinutes: 4,
      openedAt: '2026-12-01T09:00:00.000Z',
    });
    expect(done.structuredContent).toMatchObject({
      incident: { incidentId: cli?.incidentId, teamId: 'team-pipeline', deviceId: 'agent-toolkit' },
    });
  });

  it('reports nothing when the replay counted nothing, and says so without an edge client', async () => {
    const reports: OncallIncidentReport[] = [];
    const refused = await connect(opsApi('refused_again', []), async (r) => {
      reports.push(r);
      return { eventId: 'x', deviceId: 'agent-toolkit', seq: 1 };
    });
    const args = {
      ids: [LETTERS[0]?.id],
      confirm: `sha256:${'a'.repeat(64)}`,
      reportIncident: { teamId: 'team-pipeline' },
    };
    const none = await refused.callTool({ name: 'replay_dead_letters', arguments: args });
    expect(reports).toEqual([]);
    expect(JSON.stringify(none.structuredContent)).toContain('the replay counted no letter');

    const bare = await connect(opsApi('counted', []));
    const unreported = await bare.callTool({ name: 'replay_dead_letters', arguments: args });
    expect(unreported.isError).toBeFalsy();
    expect((unreported.structuredContent as { notes: string[] }).notes.join()).toContain(
      'The incident was not reported: this server has no edge client',
    );
  });

  it('refuses a report with a bad team id before anything is replayed', async () => {
    const posted: unknown[] = [];
    const client = await connect(opsApi('counted', posted), async () => ({
      eventId: 'x',
      deviceId: 'y',
      seq: 1,
    }));
    const bad = await client.callTool({
      name: 'replay_dead_letters',
      arguments: {
        ids: [LETTERS[0]?.id],
        confirm: `sha256:${'a'.repeat(64)}`,
        reportIncident: { teamId: 'team pipeline; drop', engineerMinutes: 5 },
      },
    });
    expect(bad.isError).toBe(true);
    expect(posted).toEqual([]);
  });
});
