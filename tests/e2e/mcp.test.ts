import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth } from '../../edge-client/src/simulator/index.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import { eventually } from '../helpers/eventually.js';
import { eventIdsOnStream } from '../helpers/stream-reader.js';

let stack: EmbeddedStack;
let dataDir: string;
let truth: GroundTruth;
let leadership: string;
let storeManager: string;
const clients: Client[] = [];

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = { from: day(-3), to: day(1) };
const query = new URLSearchParams(PERIOD).toString();

async function api(path: string, token = leadership) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as Record<string, unknown>;
}

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

type ToolResult = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { type: string; text?: string }[];
};
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as ToolResult;
const withoutLinks = ({ dashboardUrl: _d, units: _u, ...rest }: Record<string, unknown>) => rest;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-mcp-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
  });
  leadership = await stack.issuer.sign({ sub: 'assistant', 'custom:role': 'leadership' }, 900);
  storeManager = await stack.issuer.sign(
    { sub: 'mgr', 'custom:role': 'store_manager', 'custom:stores': 'store-0001' },
    900,
  );
  ({ truth } = await runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores: 4,
    rate: 3_000,
    seed: 21,
    maxEvents: 1_500,
    baselines: DEFAULT_BASELINES,
    truthFile: join(dataDir, 'simulator', 'ground-truth.json'),
    spoolDir: join(dataDir, 'simulator', 'spool'),
  }));
  await eventually(async () => {
    const body = await api(`/v1/impact?${query}`);
    expect(body.shrink).toMatchObject(truth.shrink);
  });
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('MCP server over the impact API (Streamable HTTP at /mcp)', () => {
  it('lists the tools and the definitions resource', async () => {
    const client = await connect(leadership);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'get_hours_saved_by_team',
        'get_impact',
        'get_store_leaderboard',
        'get_store_shrink',
        'get_team_hours_saved',
        'report_incident',
      ].sort(),
    );
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object');
    const { contents } = await client.readResource({ uri: 'impact://definitions' });
    expect((contents[0] as { text?: string }).text).toContain('lossPreventedCents');
  });

  it('answers every tool exactly as the API does, with the period, units and a dashboard link', async () => {
    const client = await connect(leadership);
    const cases: [string, Record<string, unknown>, string][] = [
      ['get_impact', PERIOD, `/v1/impact?${query}`],
      [
        'get_store_shrink',
        { storeId: 'store-0002', ...PERIOD },
        `/v1/stores/store-0002/shrink?${query}`,
      ],
      ['get_store_leaderboard', { ...PERIOD, limit: 3 }, `/v1/stores?${query}&limit=3`],
      ['get_hours_saved_by_team', PERIOD, `/v1/teams?${query}`],
      [
        'get_team_hours_saved',
        { teamId: 'team-pos', ...PERIOD },
        `/v1/teams/team-pos/hours-saved?${query}`,
      ],
    ];
    for (const [tool, args, path] of cases) {
      const result = await call(client, tool, args);
      expect(result.isError, tool).toBeFalsy();
      const structured = result.structuredContent as Record<string, unknown>;
      const expected = await api(path);
      // The leaderboard's cursor is bound to its caller and minted per answer.
      const { nextCursor: _a, ...got } = withoutLinks(structured);
      const { nextCursor: _b, ...want } = expected;
      expect(got, tool).toEqual(want);
      expect(structured.dashboardUrl, tool).toMatch(new RegExp(`^${stack.apiUrl}/#/`));
      expect(structured.units, tool).toHaveProperty('*Cents');
      expect(JSON.stringify(structured)).toContain(PERIOD.from);
    }
  });

  it("refuses a store manager's assistant every store but its own", async () => {
    const client = await connect(storeManager);
    const other = await call(client, 'get_store_shrink', { storeId: 'store-0002', ...PERIOD });
    expect(other.isError).toBe(true);
    expect(other.content[0]?.text).toContain('403');
    const own = await call(client, 'get_store_shrink', { storeId: 'store-0001', ...PERIOD });
    expect(own.isError).toBeFalsy();
    const board = await call(client, 'get_store_leaderboard', PERIOD);
    expect(
      ((board.structuredContent?.stores ?? []) as { storeId: string }[]).map((s) => s.storeId),
    ).toEqual(['store-0001']);
    const teams = await call(client, 'get_hours_saved_by_team', PERIOD);
    expect(teams.isError).toBe(true);
  });

  it('refuses /mcp without a valid token', async () => {
    const res = await fetch(`${stack.apiUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(res.status).toBe(401);
  });

  it('refuses an invalid incident naming the field, and sends nothing', async () => {
    const client = await connect(leadership);
    const before = (await eventIdsOnStream(stack.kinesis, TELEMETRY_STREAM.localName)).size;
    const incidentId = `inc-${ulid()}`;
    const result = await call(client, 'report_incident', {
      type: 'oncall_incident',
      deviceId: 'agent-team-pos',
      occurredAt: new Date().toISOString(),
      incidentId,
      teamId: 'team-pos',
      incidentClass: 'pos_offline',
      openedAt: new Date(Date.now() - 600_000).toISOString(),
      resolvedAt: new Date().toISOString(),
      resolution: 'automated',
      engineerMinutes: -5,
    });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toContain('engineerMinutes');
    await new Promise((r) => setTimeout(r, 500));
    const after = await eventIdsOnStream(stack.kinesis, TELEMETRY_STREAM.localName);
    expect(after.size).toBe(before);
  });

  it('reports a closed incident through the edge client, and its hours saved show up', async () => {
    const client = await connect(leadership);
    const before = (await api(`/v1/teams/team-pos/hours-saved?${query}`)).total as {
      incidents: number;
      minutesSaved: number;
    };
    const now = Date.now();
    const result = await call(client, 'report_incident', {
      type: 'oncall_incident',
      deviceId: 'agent-team-pos',
      occurredAt: new Date(now).toISOString(),
      incidentId: `inc-${ulid()}`,
      teamId: 'team-pos',
      incidentClass: 'pos_offline',
      openedAt: new Date(now - 20 * 60_000).toISOString(),
      resolvedAt: new Date(now).toISOString(),
      resolution: 'automated',
      engineerMinutes: 4,
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ accepted: true, deviceId: 'agent-team-pos' });
    await eventually(async () => {
      const after = (await api(`/v1/teams/team-pos/hours-saved?${query}`)).total as typeof before;
      expect(after.incidents).toBe(before.incidents + 1);
      expect(after.minutesSaved).toBeGreaterThan(before.minutesSaved);
    });
  });
});

describe('MCP server on stdio (npm run mcp)', () => {
  it('serves the same answers to an assistant that launches it', async () => {
    const client = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', 'functions/mcp/stdio.ts'],
        env: {
          ...(process.env as Record<string, string>),
          IMPACT_API_TOKEN: leadership,
          IMPACT_API_URL: stack.apiUrl,
        },
        stderr: 'pipe',
      }),
    );
    clients.push(client);
    const { tools } = await client.listTools();
    // Without an edge config there is nothing to send incidents through.
    expect(tools.map((t) => t.name)).not.toContain('report_incident');
    const result = await call(client, 'get_impact', PERIOD);
    expect(withoutLinks(result.structuredContent as Record<string, unknown>)).toEqual(
      await api(`/v1/impact?${query}`),
    );
  }, 60_000);
});
