import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverOAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth } from '#simulator';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { DEV_ISSUER } from '../../infra/local/dev-issuer.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { LOCAL_KEY_ID, LocalSigners, localSeedFile } from '../../infra/local/local-signers.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import { writeSigningKeyFile } from '../helpers/daemon-process.js';
import { eventually } from '../helpers/eventually.js';
import { allItems } from '../helpers/local-dynamodb.js';
import { eventIdsOnStream, readStream } from '../helpers/stream-reader.js';

let stack: EmbeddedStack;
let dataDir: string;
let truth: GroundTruth;
let leadership: string;
let storeManager: string;
/** An on-call automation whose agent device this test registers for team-network. */
let automation: string;
const AGENT = 'oncall-agent-e2e';
const clients: Client[] = [];
/** Reports at once per automation; the stack refills them too slowly to matter in a test. */
const REPORT_BURST = 20;

const READING_TOOLS = [
  'get_hour_of_day',
  'get_hours_saved_by_team',
  'get_impact',
  'get_model_quality',
  'get_net_impact',
  'get_store_lanes',
  'get_store_leaderboard',
  'get_store_shrink',
  'get_team_hours_saved',
];

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
/** A tool's answer without what the tool adds, and without the instant a coverage is "as of". */
const withoutLinks = ({ dashboardUrl: _d, units: _u, ...rest }: Record<string, unknown>) =>
  stable(rest);
/** An API answer without the instant its coverage is "as of" (each answer has its own). */
function stable(answer: Record<string, unknown>): Record<string, unknown> {
  const coverage = answer.coverage as Record<string, unknown> | undefined;
  if (coverage === undefined) return answer;
  const { asOf: _asOf, ...rest } = coverage;
  return { ...answer, coverage: rest };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-mcp-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
    mcpReportLimits: { burst: REPORT_BURST, ratePerSecond: 1e-6, maxKeys: 100 },
  });
  leadership = await stack.issuer.sign({ sub: 'assistant', 'custom:role': 'leadership' }, 900);
  storeManager = await stack.issuer.sign(
    { sub: 'mgr', 'custom:role': 'store_manager', 'custom:stores': 'store-0001' },
    900,
  );
  automation = await stack.issuer.sign(
    { sub: 'oncall-bot', 'custom:role': 'automation', 'custom:device': AGENT },
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
  await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
    stores: [],
    // With its key, as the simulator registers its agents': the MCP endpoint signs as it.
    devices: [
      {
        deviceId: AGENT,
        kind: 'agent',
        teamId: 'team-network',
        keys: LocalSigners.open(localSeedFile(dataDir)).registryKeys(AGENT),
      },
    ],
  });
  await eventually(async () => {
    const body = await api(`/v1/impact?${query}`);
    expect(body.shrink).toMatchObject(truth.shrink);
  });
}, 120_000);

/** A closed incident as an automation reports it: no deviceId, no seq. */
function incident(teamId: string, extra: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    type: 'oncall_incident',
    occurredAt: new Date(now).toISOString(),
    incidentId: `inc-${ulid()}`,
    teamId,
    incidentClass: 'pos_offline',
    openedAt: new Date(now - 20 * 60_000).toISOString(),
    resolvedAt: new Date(now).toISOString(),
    resolution: 'automated',
    engineerMinutes: 4,
    ...extra,
  };
}

type TeamTotal = { incidents: number; minutesSaved: number };
const teamTotal = async (teamId: string) =>
  (await api(`/v1/teams/${teamId}/hours-saved?${query}`)).total as TeamTotal;

/** The incident ids on the stream. */
async function incidentIdsOnStream(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const record of await readStream(stack.kinesis, TELEMETRY_STREAM.localName)) {
    for (const user of record.userRecords) {
      const event = JSON.parse(user.toString()) as { incidentId?: string };
      if (event.incidentId !== undefined) ids.add(event.incidentId);
    }
  }
  return ids;
}

/**
 * Reports one good incident (as agent-team-store-systems, whose figures no test reads) and
 * waits until it is on the stream: the stack's one edge client delivers in order, so whatever
 * it accepted before is on the stream by then, and what is missing was never sent.
 */
async function afterDelivery(): Promise<Set<string>> {
  const token = await stack.issuer.sign(
    {
      sub: 'barrier-bot',
      'custom:role': 'automation',
      'custom:device': 'agent-team-store-systems',
    },
    900,
  );
  const report = incident('team-store-systems');
  const result = await call(await connect(token), 'report_incident', report);
  expect(result.isError).toBeFalsy();
  return eventually(async () => {
    const ids = await incidentIdsOnStream();
    expect(ids.has(report.incidentId)).toBe(true);
    return ids;
  });
}

/** One raw POST /mcp, as a client that does not use the SDK would send it. */
async function postMcp(token: string, body: string | ReadableStream, init: RequestInit = {}) {
  return fetch(`${stack.apiUrl}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body,
    ...init,
  });
}
const toolCall = (id: number, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('MCP server over the impact API (Streamable HTTP at /mcp)', () => {
  it('lists the reading tools and the definitions resource to a person, and no report_incident', async () => {
    const client = await connect(leadership);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(READING_TOOLS);
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
      ['get_net_impact', PERIOD, `/v1/net-impact?${query}`],
      [
        'get_hour_of_day',
        { ...PERIOD, storeId: 'store-0001' },
        `/v1/hour-of-day?${query}&storeId=store-0001`,
      ],
      [
        'get_model_quality',
        { ...PERIOD, region: 'us-east', compare: 'shrink-vision@4.1.0,shrink-vision@4.2.1' },
        `/v1/model-quality?${query}&region=us-east&compare=shrink-vision%404.1.0%2Cshrink-vision%404.2.1`,
      ],
      [
        'get_store_lanes',
        { storeId: 'store-0001', ...PERIOD },
        `/v1/stores/store-0001/lanes?${query}`,
      ],
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
      const expected = stable(await api(path));
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
    for (const [tool, args] of [
      ['get_store_lanes', { storeId: 'store-0002', ...PERIOD }],
      ['get_model_quality', { storeId: 'store-0002', ...PERIOD }],
      ['get_model_quality', { region: 'us-east', ...PERIOD }],
    ] as const) {
      const refused = await call(client, tool, args);
      expect(refused.isError, tool).toBe(true);
      expect(refused.content[0]?.text, tool).toContain('403');
    }
    const lanes = await call(client, 'get_store_lanes', { storeId: 'store-0001', ...PERIOD });
    expect(lanes.isError).toBeFalsy();
    const board = await call(client, 'get_store_leaderboard', PERIOD);
    expect(
      ((board.structuredContent?.stores ?? []) as { storeId: string }[]).map((s) => s.storeId),
    ).toEqual(['store-0001']);
    const teams = await call(client, 'get_hours_saved_by_team', PERIOD);
    expect(teams.isError).toBe(true);
  });

  it("refuses a region manager's and a store manager's assistant a region outside the token", async () => {
    const regionManager = await stack.issuer.sign(
      { sub: 'rm', 'custom:role': 'region_manager', 'custom:regions': 'eu-west-1' },
      900,
    );
    const rm = await connect(regionManager);
    const other = await call(rm, 'get_impact', { ...PERIOD, region: 'us-east-1' });
    expect(other.isError).toBe(true);
    expect(other.content[0]?.text).toContain('403');
    const own = await call(rm, 'get_impact', { ...PERIOD, region: 'eu-west-1' });
    expect(own.isError).toBeFalsy();
    const sm = await connect(storeManager);
    const byRegion = await call(sm, 'get_impact', { ...PERIOD, region: 'eu-west-1' });
    expect(byRegion.isError).toBe(true);
    expect(byRegion.content[0]?.text).toContain('403');
  });

  it('refuses /mcp without a valid token', async () => {
    const res = await fetch(`${stack.apiUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(res.status).toBe(401);
  });

  it('refuses expired, re-signed-payload and unsigned tokens, and claims offered in headers', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const expired = await stack.issuer.sign({ sub: 'assistant', 'custom:role': 'leadership' }, -60);
    // The store manager's signature over a payload that says leadership.
    const [header, , signature] = storeManager.split('.');
    const claims = {
      sub: 'mgr',
      'custom:role': 'leadership',
      iss: 'https://dev-issuer.store-floor-impact.local',
      aud: 'impact-api',
      exp: 4_102_444_800,
    };
    const forged = `${header}.${b64(claims)}.${signature}`;
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const list = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
    for (const token of [expired, forged, unsigned]) {
      const res = await postMcp(token, list);
      expect(res.status).toBe(401);
      // The authorizer's own 401, before the function runs (docs/mcp.md): a bare challenge.
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    // No token, but the claims an authorizer would set, offered as headers and in the body.
    const res = await fetch(`${stack.apiUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-amzn-oidc-data': unsigned,
        'x-claims': JSON.stringify(claims),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        requestContext: { authorizer: { jwt: { claims } } },
      }),
    });
    expect(res.status).toBe(401);
  });

  it('names its own resource in the metadata whatever Host and X-Forwarded-* say', async () => {
    const res = await fetch(`${stack.apiUrl}/.well-known/oauth-protected-resource/mcp`, {
      headers: {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'http',
        forwarded: 'host=evil.example',
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ resource: `${stack.apiUrl}/mcp` });
    const noPrincipal = await stack.issuer.sign({ sub: 'x', 'custom:role': 'superuser' }, 900);
    const challenge = (
      await postMcp(noPrincipal, '{}', {
        headers: {
          authorization: `Bearer ${noPrincipal}`,
          host: 'evil.example',
          'x-forwarded-host': 'evil.example',
        },
      })
    ).headers.get('www-authenticate');
    expect(challenge).toBe(
      `Bearer resource_metadata="${stack.apiUrl}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it('refuses a token whose claims grant no principal, as the API does (401)', async () => {
    const unknownRole = await stack.issuer.sign({ sub: 'x', 'custom:role': 'superuser' }, 900);
    const noDevice = await stack.issuer.sign({ sub: 'bot', 'custom:role': 'automation' }, 900);
    for (const token of [unknownRole, noDevice]) {
      const res = await postMcp(
        token,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthorized' });
      const apiRes = await fetch(`${stack.apiUrl}/v1/impact?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(apiRes.status).toBe(401);
    }
  });

  it('answers a token that grants no principal with a Bearer challenge naming its metadata', async () => {
    const unknownRole = await stack.issuer.sign({ sub: 'x', 'custom:role': 'superuser' }, 900);
    const res = await postMcp(unknownRole, '{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${stack.apiUrl}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it("lets the SDK client discover the endpoint's protected-resource metadata, without a token", async () => {
    const metadata = await discoverOAuthProtectedResourceMetadata(new URL(`${stack.apiUrl}/mcp`));
    expect(metadata).toMatchObject({
      resource: `${stack.apiUrl}/mcp`,
      authorization_servers: [DEV_ISSUER],
      bearer_methods_supported: ['header'],
    });
    // The root form, which clients fall back to, answers the same document.
    const root = await fetch(`${stack.apiUrl}/.well-known/oauth-protected-resource`);
    expect(root.status).toBe(200);
    expect(await root.json()).toEqual(metadata);
  });

  it('answers GET and DELETE with 405: a stateless server has no stream and no session', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${stack.apiUrl}/mcp`, {
        method,
        headers: { authorization: `Bearer ${leadership}`, accept: 'text/event-stream' },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.headers.get('mcp-session-id')).toBeNull();
    }
  });

  it("does not offer report_incident to a person's token, and refuses the call", async () => {
    const refused: string[] = [];
    for (const token of [storeManager, leadership]) {
      const client = await connect(token);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).not.toContain('report_incident');
      const report = incident('team-pos');
      const result = await call(client, 'report_incident', report);
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toContain('report_incident not found');
      refused.push(report.incidentId);
    }
    const onStream = await afterDelivery();
    expect(refused.filter((id) => onStream.has(id))).toEqual([]);
  });

  it('offers an automation only report_incident (the API answers its token 403 for figures)', async () => {
    const client = await connect(automation);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['report_incident']);
    const schema = tools[0]?.inputSchema as { properties: object; additionalProperties?: boolean };
    for (const field of ['deviceId', 'seq', 'eventId', 'schemaVersion'])
      expect(schema.properties).not.toHaveProperty(field);
    expect(schema.additionalProperties).toBe(false);
    const res = await fetch(`${stack.apiUrl}/v1/impact?${query}`, {
      headers: { authorization: `Bearer ${automation}` },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses an invalid incident naming the field, and sends nothing', async () => {
    const client = await connect(automation);
    const report = incident('team-network', { engineerMinutes: -5 });
    const result = await call(client, 'report_incident', report);
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toContain('engineerMinutes');
    expect((await afterDelivery()).has(report.incidentId)).toBe(false);
  });

  it('refuses a deviceId, seq or eventId in the arguments by name, and sends nothing', async () => {
    const client = await connect(automation);
    const refused: string[] = [];
    const cases: [string, Record<string, unknown>][] = [
      ['deviceId', { deviceId: 'agent-team-pos' }],
      ['seq', { seq: 424_242 }],
      ['eventId', { eventId: ulid() }],
    ];
    for (const [field, extra] of cases) {
      const report = incident('team-network', extra);
      const result = await call(client, 'report_incident', report);
      expect(result.isError, field).toBe(true);
      expect(result.content[0]?.text, field).toContain(`${field}: assigned by the sender`);
      refused.push(report.incidentId);
    }
    const onStream = await afterDelivery();
    expect(refused.filter((id) => onStream.has(id))).toEqual([]);
  });

  it("sends an automation's report as its own device, and counts it for the team that device serves", async () => {
    const client = await connect(automation);
    const before = await teamTotal('team-network');
    const result = await call(client, 'report_incident', incident('team-network'));
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ accepted: true, deviceId: AGENT });
    await eventually(async () => {
      const after = await teamTotal('team-network');
      expect(after.incidents).toBe(before.incidents + 1);
      expect(after.minutesSaved).toBeGreaterThan(before.minutesSaved);
    });
  });

  it('counts nothing for a team its device does not serve: the pipeline dead-letters it', async () => {
    const client = await connect(automation);
    const before = await teamTotal('team-pos');
    const report = incident('team-pos');
    const result = await call(client, 'report_incident', report);
    expect(result.isError).toBeFalsy();
    const letter = await eventually(async () => {
      const items = await allItems(stack.dynamodb, TABLES.deadLetters.localName);
      const found = items.find((i) => i.eventId?.S === result.structuredContent?.eventId);
      expect(found).toBeDefined();
      return found;
    });
    expect(letter?.reason?.S).toBe('team_mismatch');
    expect((await teamTotal('team-pos')).incidents).toBe(before.incidents);
  });

  it('limits reports per automation: past the burst, a tool error that says to retry, nothing sent', async () => {
    // Prepare: an automation of its own (agent-team-vision, registered by the simulation).
    const token = await stack.issuer.sign(
      { sub: 'vision-bot', 'custom:role': 'automation', 'custom:device': 'agent-team-vision' },
      900,
    );
    const client = await connect(token);
    const other = await connect(automation);

    // Act
    const accepted: string[] = [];
    for (let i = 0; i < REPORT_BURST; i++) {
      const result = await call(client, 'report_incident', incident('team-vision'));
      expect(result.isError, `report ${i}`).toBeFalsy();
      accepted.push(result.structuredContent?.eventId as string);
    }
    const over = incident('team-vision');
    const refused = await call(client, 'report_incident', over);
    const othersStill = await call(other, 'report_incident', incident('team-network'));

    // Assess
    expect(refused.isError).toBe(true);
    expect(refused.content[0]?.text).toMatch(/Too many reports from agent-team-vision.*retry in/);
    expect(othersStill.isError).toBeFalsy();
    expect((await afterDelivery()).has(over.incidentId)).toBe(false);
    const onStream = await eventIdsOnStream(stack.kinesis, TELEMETRY_STREAM.localName);
    expect(accepted.filter((id) => !onStream.has(id))).toEqual([]);
  });

  it('refuses an argument named __proto__ rather than letting it pass unseen, and sends nothing', async () => {
    // Prepare: raw JSON, as JSON.parse keeps __proto__ as an own key (an object literal would not).
    const report = incident('team-network');
    const args = JSON.stringify(report).replace(/^\{/, '{"__proto__":{"seq":5},');
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"report_incident","arguments":${args}}}`;

    // Act
    const res = await postMcp(automation, body);

    // Assess
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: -32600, message: expect.stringContaining('__proto__') },
    });
    expect((await afterDelivery()).has(report.incidentId)).toBe(false);
  });

  it('refuses a JSON-RPC batch outright (HTTP 400), so no message in it runs', async () => {
    const token = await stack.issuer.sign(
      { sub: 'batch-bot', 'custom:role': 'automation', 'custom:device': 'agent-team-vision' },
      900,
    );
    const reports = Array.from({ length: 100 }, () => incident('team-vision'));
    const res = await postMcp(
      token,
      JSON.stringify(reports.map((r, i) => toolCall(i + 1, 'report_incident', r))),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 }, id: null });
    // The same call alone, without the SDK, is served.
    const single = await postMcp(
      automation,
      JSON.stringify(toolCall(1, 'report_incident', incident('team-network'))),
    );
    expect(single.status).toBe(200);
    expect(((await single.json()) as { result: ToolResult }).result.isError).toBeFalsy();
    const onStream = await afterDelivery();
    expect(reports.filter((r) => onStream.has(r.incidentId))).toEqual([]);
  });

  it('refuses a body over the API limit with 413, declared or streamed, and keeps serving', async () => {
    const big = JSON.stringify(
      toolCall(1, 'report_incident', incident('team-network', { pad: 'x'.repeat(300_000) })),
    );
    const declared = await postMcp(automation, big);
    expect(declared.status).toBe(413);
    // The gateway refuses it, as for every route, before the MCP function runs.
    expect(await declared.json()).toEqual({ message: 'Request Entity Too Large' });
    // No Content-Length: a stream that goes on past the limit.
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        if (sent > 8 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await postMcp(automation, stream, { duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(8 * 1024 * 1024);
    const client = await connect(leadership);
    expect((await call(client, 'get_impact', PERIOD)).isError).toBeFalsy();
  });
});

describe('MCP server on stdio (npm run mcp)', () => {
  const stdioTransport = (env: Record<string, string>) =>
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'functions/mcp/stdio.ts'],
      env: { ...(process.env as Record<string, string>), IMPACT_API_URL: stack.apiUrl, ...env },
      stderr: 'pipe',
    });
  /** An edge daemon config for the automation's own machine: its device, this stack's stream. */
  const edgeConfig = (extra: Record<string, unknown>) => {
    const dir = mkdtempSync(join(dataDir, 'mcp-edge-'));
    const file = join(dir, 'edge.json');
    writeFileSync(
      file,
      JSON.stringify({
        streamName: TELEMETRY_STREAM.localName,
        endpoint: stack.kinesisEndpoint,
        region: 'us-east-1',
        spool: { dir: join(dir, 'spool') },
        ...extra,
      }),
    );
    return file;
  };

  it('serves the same answers to an assistant that launches it', async () => {
    const client = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    await client.connect(stdioTransport({ IMPACT_API_TOKEN: leadership }));
    clients.push(client);
    const { tools } = await client.listTools();
    // Without an edge config there is nothing to send incidents through.
    expect(tools.map((t) => t.name)).not.toContain('report_incident');
    const result = await call(client, 'get_impact', PERIOD);
    expect(withoutLinks(result.structuredContent as Record<string, unknown>)).toEqual(
      stable(await api(`/v1/impact?${query}`)),
    );
  }, 60_000);

  it("reports through MCP_EDGE_CONFIG as that config's device, and refuses a caller's deviceId", async () => {
    const client = new Client({ name: 'e2e-stdio-edge', version: '1.0.0' });
    await client.connect(
      stdioTransport({
        IMPACT_API_TOKEN: automation,
        // The agent signs with its registered key, as every writer must (unsigned is refused).
        MCP_EDGE_CONFIG: edgeConfig({
          deviceId: AGENT,
          signing: {
            keyId: LOCAL_KEY_ID,
            keyFile: writeSigningKeyFile(
              join(mkdtempSync(join(dataDir, 'mcp-key-')), 'agent.pem'),
              LocalSigners.open(localSeedFile(dataDir)).signer(AGENT).privateKey,
            ),
          },
        }),
      }),
    );
    clients.push(client);
    const before = await teamTotal('team-network');
    const spoofed = await call(
      client,
      'report_incident',
      incident('team-network', { deviceId: 'agent-team-pos' }),
    );
    expect(spoofed.isError).toBe(true);
    expect(spoofed.content[0]?.text).toContain('deviceId: assigned by the sender');
    const result = await call(client, 'report_incident', incident('team-network'));
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ accepted: true, deviceId: AGENT });
    await eventually(async () =>
      expect((await teamTotal('team-network')).incidents).toBe(before.incidents + 1),
    );
  }, 60_000);

  it('refuses to start with a relay edge config, which names no device', async () => {
    const client = new Client({ name: 'e2e-stdio-relay', version: '1.0.0' });
    const transport = stdioTransport({
      IMPACT_API_TOKEN: automation,
      MCP_EDGE_CONFIG: edgeConfig({ relay: true }),
    });
    let stderr = '';
    const failed = client.connect(transport).then(
      () => 'connected',
      () => 'failed',
    );
    transport.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    expect(await failed).toBe('failed');
    expect(stderr).toContain('a relay config cannot report incidents');
  }, 60_000);
});
