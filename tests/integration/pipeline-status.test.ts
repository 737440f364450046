import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import {
  DynamoDbShardStatus,
  readShardStatuses,
} from '../../functions/adapters/dynamodb-shard-status.js';
import { type ProcessorDeps, processBatch } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { processorOn } from '../helpers/emulator-processor.js';
import { detection, REGISTRY, streamRecords } from '../helpers/factories.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { runTool } from '../helpers/tool-run.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;

const run = (...args: string[]) => runTool('pipeline-status.ts', args, env.emulators);

const NOW = Date.now();
function deps(over: Partial<ProcessorDeps> = {}): ProcessorDeps {
  return processorOn(env.dynamodb, {
    status: new DynamoDbShardStatus(env.dynamodb, TABLES.pipelineStatus.localName),
    ...over,
  });
}
const recent = (over = {}) =>
  detection({
    eventId: ulid(NOW - 60_000),
    detectionId: ulid(NOW - 60_000),
    occurredAt: new Date(NOW - 60_000).toISOString(),
    ...over,
  });
const arrived = <T extends { arrivedAt: number }>(records: T[]) =>
  records.map((r) => ({ ...r, arrivedAt: NOW - 2_000 }));

beforeAll(async () => {
  env = await freshEmulators(2);
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values()],
  });
}, 60_000);
afterAll(async () => env?.close());

describe('Integration: the shard status the processor writes, and npm run pipeline-status', () => {
  it("keeps each shard's last batch: what it counted and dead-lettered, its iterator age, its first error", async () => {
    // Prepare: shard 0 counts two events and dead-letters one (a device never registered);
    // shard 1's registry read fails, so its batch is left to a retry.
    const good = arrived(
      streamRecords([recent(), recent(), recent({ deviceId: 'panel-unknown' })], {
        shardId: 'shardId-000000000000',
      }),
    );
    const failing = arrived(streamRecords([recent()], { shardId: 'shardId-000000000001' }));
    const broken = {
      load: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
    };

    // Act
    await processBatch(good, deps({ now: () => NOW }));
    await processBatch(failing, deps({ registry: broken, now: () => NOW }));
    // A batch of shard 0 that finished earlier (an overlapping invocation) changes nothing.
    await processBatch(good.slice(0, 1), deps({ now: () => NOW - 60_000 }));

    // Assess
    const statuses = await readShardStatuses(env.dynamodb, TABLES.pipelineStatus.localName);
    expect(statuses).toEqual([
      {
        shardId: 'shardId-000000000000',
        batchAt: new Date(NOW).toISOString(),
        newestArrivedAt: new Date(NOW - 2_000).toISOString(),
        iteratorAgeMs: 2_000,
        records: 3,
        events: 3,
        counted: 2,
        deadLettered: 1,
        failedRecords: 0,
      },
      expect.objectContaining({
        shardId: 'shardId-000000000001',
        failedRecords: 1,
        error: {
          message: 'registry lookup failed; retrying the batch',
          name: 'ThrottlingException',
        },
      }),
    ]);
  });

  it('prints each shard of the stream with its state and the last day of dead letters, exit 1 with a failing shard', async () => {
    const result = await run('--json');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const status = JSON.parse(result.stdout);
    expect(
      status.shards.map((s: { shardId: string; state: string }) => [s.shardId, s.state]),
    ).toEqual([
      ['shardId-000000000000', 'ok'],
      ['shardId-000000000001', 'failing'],
    ]);
    expect(status.state).toBe('failing');
    const hour = new Date(NOW - 2_000).toISOString().slice(0, 13);
    expect(status.deadLettersPerHour.find((h: { hour: string }) => h.hour === hour)).toEqual({
      hour,
      letters: 1,
      records: 1,
    });
    expect(status.recentErrors).toHaveLength(1);

    const text = await run();
    expect(text.stdout).toContain('shardId-000000000001    failing');
    expect(text.stdout).toContain(
      'registry lookup failed; retrying the batch (ThrottlingException)',
    );
  });

  it('refuses an unknown option with exit 2', async () => {
    const result = await run('--shard', 'x');
    expect(result.status).toBe(2);
  });

  it('says what to set when no region is configured, and --local finds the embedded stack by its ports', async () => {
    const bare = {
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL_DYNAMODB: undefined,
      AWS_ENDPOINT_URL_KINESIS: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    };
    const missing = await runTool('pipeline-status.ts', ['--json'], { dynamodbEndpoint: '' }, bare);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('No AWS region: set AWS_REGION');
    expect(missing.stderr).toContain('--local');

    const port = (url: string) => new URL(url).port;
    const local = await runTool(
      'pipeline-status.ts',
      ['--json', '--local'],
      { dynamodbEndpoint: '' },
      {
        ...bare,
        DYNAMODB_PORT: port(env.emulators.dynamodbEndpoint),
        KINESIS_PORT: port(env.emulators.kinesisEndpoint),
      },
    );
    expect(local.stderr).toBe('');
    expect(JSON.parse(local.stdout)).toHaveProperty('shards');
  });
});
