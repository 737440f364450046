import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDbDeadLetters,
  listDeadLetters,
} from '../../functions/adapters/dynamodb-dead-letters.js';
import type { DeadLetter } from '../../functions/domain/ports.js';
import { TABLES } from '../../functions/shared/resources.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { runTool } from '../helpers/tool-run.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;

const letter = (over: Partial<DeadLetter> & Pick<DeadLetter, 'reason'>): DeadLetter => ({
  position: { shardId: 'shardId-000000000000', sequenceNumber: '4960', subSequenceNumber: 0 },
  detail: 'device panel-x is not registered',
  arrivedAt: '2026-12-01T10:00:00.000Z',
  sizeBytes: 400,
  count: 1,
  ...over,
});

const run = (...args: string[]) => runTool('dead-letters.ts', args, env.emulators);

beforeAll(async () => {
  env = await freshEmulators(1);
  await new DynamoDbDeadLetters(env.dynamodb, TABLES.deadLetters.localName).put([
    letter({
      reason: 'unknown_device',
      deviceId: 'panel-store-0042-lane-07',
      count: 3,
      subSequenceNumbers: [0, 1, 2],
      eventIds: [
        '01EV0000000000000000000001',
        '01EV0000000000000000000002',
        '01EV0000000000000000000003',
      ],
    }),
    letter({
      reason: 'clock_skew',
      deviceId: 'panel-store-0042-lane-08',
      eventId: '01EV0000000000000000000009',
      detail: 'occurredAt is 1,200 s ahead of arrival',
      position: { shardId: 'shardId-000000000000', sequenceNumber: '4970', subSequenceNumber: 0 },
    }),
    letter({
      reason: 'schema_violation',
      detail: 'x\u001b]0;owned\u0007\u001b[2J: not a field of the v1 contract',
      position: { shardId: 'shardId-000000000000', sequenceNumber: '4980', subSequenceNumber: 0 },
    }),
    letter({
      reason: 'undecodable',
      detail: 'not gzip, not KPL, not JSON',
      arrivedAt: '2026-11-30T23:59:00.000Z',
      position: { shardId: 'shardId-000000000001', sequenceNumber: '12', subSequenceNumber: 0 },
    }),
  ]);
}, 60_000);

afterAll(async () => env?.close());

describe('CLI: npm run dead-letters, against the DynamoDB emulator over HTTP', () => {
  it('lists a range of arrival dates with a count per reason, newest date first', async () => {
    const result = await run('list', '--from', '2026-11-30', '--to', '2026-12-01', '--json');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.byReason).toEqual([
      { reason: 'unknown_device', letters: 1, records: 3 },
      { reason: 'clock_skew', letters: 1, records: 1 },
      { reason: 'schema_violation', letters: 1, records: 1 },
      { reason: 'undecodable', letters: 1, records: 1 },
    ]);
    expect(answer.letters.map((l: { id: string }) => l.id)).toEqual([
      '2026-12-01/shardId-000000000000/4960/0',
      '2026-12-01/shardId-000000000000/4970/0',
      '2026-12-01/shardId-000000000000/4980/0',
      '2026-11-30/shardId-000000000001/12/0',
    ]);
    expect(answer.truncated).toBe(false);
  });

  it('filters by reason and by device, and stops at --limit saying so', async () => {
    const byReason = JSON.parse(
      (
        await run(
          'list',
          '--to',
          '2026-12-01',
          '--from',
          '2026-11-30',
          '--reason',
          'clock_skew',
          '--json',
        )
      ).stdout,
    );
    expect(byReason.letters.map((l: { reason: string }) => l.reason)).toEqual(['clock_skew']);
    const byDevice = JSON.parse(
      (
        await run(
          'list',
          '--from',
          '2026-12-01',
          '--to',
          '2026-12-01',
          '--device',
          'panel-store-0042-lane-07',
          '--json',
        )
      ).stdout,
    );
    expect(byDevice.letters).toHaveLength(1);
    expect(byDevice.letters[0].eventIds).toHaveLength(3);

    const limited = await run('list', '--from', '2026-11-30', '--to', '2026-12-01', '--limit', '1');
    expect(limited.status).toBe(0);
    expect(limited.stdout).toContain('stopped at --limit 1');
    expect(limited.stdout.match(/^2026-/gm)).toHaveLength(1);
  });

  it('explains one letter: reason, detail, position with the fetch commands, and the fix', async () => {
    const result = await run(
      'explain',
      '2026-12-01/shardId-000000000000/4960/0',
      '--stream',
      'telemetry',
    );

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'reason      unknown_device: the sending device is not in the device registry',
    );
    expect(result.stdout).toContain('device      panel-store-0042-lane-07');
    expect(result.stdout).toContain('--stream-name telemetry --shard-id shardId-000000000000');
    expect(result.stdout).toContain('--starting-sequence-number 4960');
    expect(result.stdout).toContain('npm run register');
    expect(result.stdout).toContain(
      'once fixed, replay counts these events (npm run dead-letters -- replay 2026-12-01/shardId-000000000000/4960/0)',
    );

    const single = JSON.parse(
      (await run('explain', '2026-12-01/shardId-000000000000/4970/0', '--json')).stdout,
    );
    expect(single.letter.eventIds).toEqual(['01EV0000000000000000000009']);
    expect(single.advice.recovery).toBe('never');
  });

  it('stops after reading maxScanned items, matching or not, and says it stopped', async () => {
    const query = { dates: ['2026-11-30', '2026-12-01'], limit: 100, reason: 'undecodable' };
    const table = TABLES.deadLetters.localName;

    const all = await listDeadLetters(env.dynamodb, table, query);
    expect(all).toMatchObject({ truncated: false, letters: [{ reason: 'undecodable' }] });
    // The newest day holds three letters, none undecodable: reading two of them stops the search.
    const bounded = await listDeadLetters(env.dynamodb, table, { ...query, maxScanned: 2 });
    expect(bounded).toEqual({ letters: [], truncated: true });
  });

  it('shows control characters a sender put in field names escaped, never raw', async () => {
    const result = await run('explain', '2026-12-01/shardId-000000000000/4980/0');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('x\\u001b]0;owned\\u0007\\u001b[2J: not a field');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('exits 1 for a letter that is not there, 2 with the usage for a malformed line', async () => {
    const missing = await run('explain', '2026-12-01/shardId-000000000000/1/0');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no dead letter 2026-12-01/shardId-000000000000/1/0');

    for (const args of [
      ['explain', '../../etc/passwd'],
      ['explain', `2026-12-01/shardId-0/${'9'.repeat(200)}/0`],
      ['list', '--from', '2026-02-30'],
      ['list', '--from', '2026-01-01', '--to', '2026-12-01'],
      ['list', '--from', '2026-12-02', '--to', '2026-12-01'],
      ['list', '--limit', '0'],
      ['list', '--limit', '1e9'],
      ['list', '--reason', 'toString'],
      ['list', 'extra'],
      ['frobnicate'],
      [],
    ]) {
      const result = await run(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain('npm run dead-letters -- list');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
