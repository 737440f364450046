import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRecord } from '#wire';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { detection, REGISTRY, testKeys, testSigner } from '../helpers/factories.js';

let stack: EmbeddedStack;
let dataDir: string;
let operator: string;
let leadership: string;
let storeManager: string;
let automation: string;
const clients: Client[] = [];

const TODAY = new Date().toISOString().slice(0, 10);
const LETTER_ID = `${TODAY}/shardId-000000000000/4960/0`;
const OPS_TOOLS = [
  'explain_dead_letter',
  'get_fleet_health',
  'get_pipeline_status',
  'list_dead_letters',
  'replay_dead_letters',
];
const DEAD_LETTER_TOOLS = ['explain_dead_letter', 'list_dead_letters', 'replay_dead_letters'];

type ToolResult = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { type: string; text?: string }[];
};

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'e2e-ops', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as ToolResult;

async function api(path: string, token = operator) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-mcp-ops-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    archive: false,
  });
  const sign = (claims: Record<string, string>) => stack.issuer.sign(claims, 900);
  operator = await sign({ sub: 'on-call', 'custom:role': 'operator' });
  leadership = await sign({ sub: 'lead', 'custom:role': 'leadership' });
  storeManager = await sign({
    sub: 'mgr',
    'custom:role': 'store_manager',
    'custom:stores': 'store-0001',
  });
  automation = await sign({
    sub: 'bot',
    'custom:role': 'automation',
    'custom:device': 'oncall-agent-ops',
  });
  await new DynamoDbDeadLetters(stack.dynamodb, TABLES.deadLetters.localName).put([
    {
      position: { shardId: 'shardId-000000000000', sequenceNumber: '4960', subSequenceNumber: 0 },
      reason: 'unknown_device',
      detail: 'device panel-store-0042-lane-07 is not registered',
      arrivedAt: `${TODAY}T10:00:00.000Z`,
      sizeBytes: 400,
      count: 1,
      deviceId: 'panel-store-0042-lane-07',
      eventId: '01EV0000000000000000000001',
    },
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('MCP ops tools at /mcp (operator tokens only)', () => {
  it('offers an operator the ops tools and nothing else, saying what letters are', async () => {
    const client = await connect(operator);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(OPS_TOOLS);
    for (const tool of tools) {
      if (DEAD_LETTER_TOOLS.includes(tool.name)) {
        expect(tool.description, tool.name).toMatch(/records the pipeline can never count/);
        expect(tool.description, tool.name).toContain('No payload is ever stored');
      }
      expect(tool.inputSchema.type).toBe('object');
    }
    const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    for (const name of ['list_dead_letters', 'explain_dead_letter', 'get_pipeline_status']) {
      expect(hints[name]?.readOnlyHint, name).toBe(true);
    }
    // Replay writes, but adds nothing a second call would add again, and destroys nothing.
    expect(hints.replay_dead_letters).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
    });
    const replay = tools.find((t) => t.name === 'replay_dead_letters');
    expect(replay?.description).toMatch(/dry run first: without `confirm` it only plans/);
    expect(Object.keys(replay?.inputSchema.properties ?? {})).not.toContain('dryRun');
  });

  it('lists and explains dead letters exactly as the ops routes answer', async () => {
    const client = await connect(operator);
    const listed = await call(client, 'list_dead_letters', { limit: 10 });
    expect(listed.isError).toBeFalsy();
    expect(listed.structuredContent).toEqual(await api('/v1/ops/dead-letters?limit=10'));
    expect(listed.structuredContent).toMatchObject({
      byReason: [{ reason: 'unknown_device', letters: 1, records: 1 }],
      truncated: false,
    });
    const [first] = (listed.structuredContent?.letters ?? []) as { id: string }[];
    expect(first?.id).toBe(LETTER_ID);

    const explained = await call(client, 'explain_dead_letter', { id: LETTER_ID });
    expect(explained.isError).toBeFalsy();
    expect(explained.structuredContent).toEqual(
      await api(`/v1/ops/dead-letter?id=${encodeURIComponent(LETTER_ID)}`),
    );
    expect(explained.structuredContent).toMatchObject({
      letter: { id: LETTER_ID, reason: 'unknown_device', eventIds: ['01EV0000000000000000000001'] },
      advice: { recovery: 'rebuild_after_fix' },
    });
  });

  it("answers an operator's bad arguments and unknown letters with a tool error, not a crash", async () => {
    const client = await connect(operator);
    const unknown = await call(client, 'explain_dead_letter', {
      id: `${TODAY}/shardId-000000000000/1/0`,
    });
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]?.text).toContain('404');
    const malformed = await call(client, 'explain_dead_letter', { id: '../../etc/passwd' });
    expect(malformed.isError).toBe(true);
    expect(malformed.content[0]?.text).toMatch(/dead-letter id/);
    const tooLong = await call(client, 'list_dead_letters', {
      from: '2026-01-01',
      to: '2026-03-04',
    });
    expect(tooLong.isError).toBe(true);
    expect(tooLong.content[0]?.text).toMatch(/at most 62 days/);
    // The connection still serves.
    expect((await call(client, 'list_dead_letters', {})).isError).toBeFalsy();
  });

  it('does not offer the ops tools to leadership, store or automation tokens, and refuses the calls', async () => {
    for (const token of [leadership, storeManager, automation]) {
      const client = await connect(token);
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const tool of OPS_TOOLS) expect(names).not.toContain(tool);
      for (const tool of ['list_dead_letters', 'replay_dead_letters', 'get_pipeline_status']) {
        const result = await call(client, tool, {});
        expect(result.isError, tool).toBe(true);
        expect(result.content[0]?.text, tool).toContain(`${tool} not found`);
      }
    }
  });

  it('gives an operator none of the reading or reporting tools', async () => {
    const client = await connect(operator);
    for (const tool of ['get_impact', 'get_store_leaderboard', 'report_incident']) {
      const result = await call(client, tool, {});
      expect(result.isError, tool).toBe(true);
      expect(result.content[0]?.text, tool).toContain(`${tool} not found`);
    }
  });
});

describe('MCP ops tools on stdio (npm run mcp)', () => {
  const stdio = async (token: string) => {
    const client = new Client({ name: 'e2e-ops-stdio', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', 'functions/mcp/stdio.ts'],
        env: {
          ...(process.env as Record<string, string>),
          IMPACT_API_URL: stack.apiUrl,
          IMPACT_API_TOKEN: token,
        },
        stderr: 'pipe',
      }),
    );
    clients.push(client);
    return client;
  };

  it("offers an operator's token the ops tools, and a reader's the reading tools", async () => {
    const ops = await stdio(operator);
    expect((await ops.listTools()).tools.map((t) => t.name).sort()).toEqual(OPS_TOOLS);
    const listed = await call(ops, 'list_dead_letters', {});
    expect(listed.structuredContent).toEqual(await api('/v1/ops/dead-letters'));
    const reader = await stdio(leadership);
    const names = (await reader.listTools()).tools.map((t) => t.name);
    expect(names).toContain('get_impact');
    for (const tool of OPS_TOOLS) expect(names).not.toContain(tool);
  }, 60_000);
});

describe('MCP replay_dead_letters and get_pipeline_status (an operator plans, then confirms)', () => {
  // A forgotten device: lane 09 of store-0001 sends before it is registered (unknown_key).
  const LANE = 'panel-store-0001-lane-09';
  const AT = Date.now() - 10 * 60_000;
  const STORE_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(AT);
  const figures = async () => {
    const body = await api(`/v1/impact?from=${STORE_DATE}&to=${STORE_DATE}`, leadership);
    return (body.shrink as { detections: number }).detections;
  };
  let letterId: string;

  beforeAll(async () => {
    await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
      stores: [...REGISTRY.stores.values()],
      devices: [...REGISTRY.devices.values()],
    });
    const event = detection({
      deviceId: LANE,
      storeId: 'store-0001',
      eventId: ulid(AT),
      detectionId: ulid(AT),
      occurredAt: new Date(AT).toISOString(),
      seq: 1,
      estimatedLossCents: 900,
    });
    await stack.kinesis.send(
      new PutRecordsCommand({
        StreamName: TELEMETRY_STREAM.localName,
        Records: [
          {
            Data: signRecord(Buffer.from(JSON.stringify(event)), testSigner(LANE)),
            PartitionKey: 'store-0001',
          },
        ],
      }),
    );
    for (let attempt = 0; attempt < 600 && letterId === undefined; attempt++) {
      const listed = await api('/v1/ops/dead-letters?reason=unknown_key');
      const [letter] = listed.letters as { id: string }[];
      if (letter !== undefined) letterId = letter.id;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(letterId).toBeDefined();
  }, 120_000);

  it('plans without confirm, writes nothing, then replays with the confirm of the plan', async () => {
    // Prepare: the fix.
    await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
      devices: [{ deviceId: LANE, kind: 'panel', storeId: 'store-0001', keys: testKeys(LANE) }],
    });
    const client = await connect(operator);
    const before = await figures();

    // Act: the plan.
    const plan = await call(client, 'replay_dead_letters', { ids: [letterId] });

    // Assess: a dry run, nothing counted yet, and how to confirm.
    expect(plan.isError).toBeFalsy();
    expect(plan.structuredContent).toMatchObject({
      dryRun: true,
      letters: 1,
      records: { wanted: 1, stream: 1, notFound: 0 },
      results: [{ id: letterId, outcome: 'would_replay' }],
    });
    const confirm = plan.structuredContent?.confirm as string;
    expect(confirm).toMatch(/^sha256:/);
    expect(await figures()).toBe(before);

    // Act: a wrong token is refused; the plan's replays.
    const wrong = await call(client, 'replay_dead_letters', {
      ids: [letterId],
      confirm: `sha256:${'0'.repeat(64)}`,
    });
    const done = await call(client, 'replay_dead_letters', { ids: [letterId], confirm });
    const again = await call(client, 'replay_dead_letters', { ids: [letterId], confirm });

    // Assess
    expect(wrong.isError).toBe(true);
    expect(wrong.content[0]?.text).toMatch(/409.*dry-run again/);
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({
      dryRun: false,
      counted: 1,
      results: [{ id: letterId, outcome: 'counted' }],
    });
    expect(await figures()).toBe(before + 1);
    // Idempotent: the same call again counts nothing more.
    expect(again.structuredContent).toMatchObject({ dryRun: false, counted: 0, duplicates: 1 });
    expect(await figures()).toBe(before + 1);
  });

  it("answers the pipeline status as the route does: the local stream's shards", async () => {
    const client = await connect(operator);
    const status = await call(client, 'get_pipeline_status', {});
    const route = await api('/v1/ops/pipeline-status');
    expect(status.isError).toBeFalsy();
    const ids = (body: Record<string, unknown> | undefined) =>
      ((body?.shards ?? []) as { shardId: string }[]).map((s) => s.shardId);
    expect(ids(status.structuredContent)).toEqual(ids(route));
    expect(ids(route)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(status.structuredContent?.stream).toBe(TELEMETRY_STREAM.localName);
  });

  it('refuses the replay to a leadership token, through the route as through MCP', async () => {
    const client = await connect(leadership);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('replay_dead_letters');
    expect(names).not.toContain('get_pipeline_status');
    const res = await fetch(`${stack.apiUrl}/v1/ops/dead-letters/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${leadership}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [letterId] }),
    });
    expect(res.status).toBe(403);
  });
});
