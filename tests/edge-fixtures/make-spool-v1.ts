/**
 * Made `tests/edge-fixtures/spool-v1/` (and `spool-v1.events.json`) once, with the spool code
 * of commit 9d16b18, the last release whose spool carried no format marker: the fixture is a
 * format-1 spool exactly as that daemon left it. Kept as the record of how the bytes were
 * made; run again on a later commit it would write that commit's format, not format 1, so it
 * must not be re-run to "refresh" the fixture.
 *
 *   npx tsx tests/edge-fixtures/make-spool-v1.ts
 *
 * A panel PC's daemon (its own deviceId, so the client assigned every seq) accepted 24
 * events while the stream was unreachable, in segments of 2 KiB; the first 9 were then
 * delivered and acknowledged, so the cursor sits inside the second segment and the first
 * segment is gone, as after a partial drain.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ulid } from 'ulid';
import { EdgeClient } from '../../edge-client/src/core/edge-client.js';
import { createKinesisClient } from '../../edge-client/src/producer/kinesis-client.js';
import { DiskSpool } from '../../edge-client/src/spool/disk-spool.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = join(here, 'spool-v1');
const DEVICE = 'panel-store-0001-lane-01';
const ACKED = 9;
const SEGMENT_BYTES = 2048;
const T0 = Date.UTC(2026, 5, 15, 12);

rmSync(dir, { recursive: true, force: true });
const spool = { dir, segmentBytes: SEGMENT_BYTES, fsync: 'always' as const };
const client = await EdgeClient.open({
  streamName: 'store-telemetry',
  // Nothing listens here: every event stays spooled.
  kinesis: createKinesisClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
  deviceId: DEVICE,
  spool,
  lingerMs: 10_000,
});
const categories = ['missed_scan', 'ticket_switch', 'walkout', 'shelf_sweep'] as const;
const accepted = [];
for (let i = 0; i < 24; i++) {
  const at = T0 + i * 60_000;
  const detectionId = ulid(at);
  const event =
    i % 3 === 2
      ? {
          type: 'detection_outcome' as const,
          occurredAt: new Date(at).toISOString(),
          storeId: 'store-0001',
          detectionId,
          outcome: 'recovered' as const,
          recoveredCents: 990 + i,
        }
      : {
          type: 'detection' as const,
          occurredAt: new Date(at).toISOString(),
          storeId: 'store-0001',
          detectionId,
          laneId: 'lane-01',
          category: categories[i % categories.length] as (typeof categories)[number],
          confidence: 0.5 + i / 100,
          estimatedLossCents: 1_000 + i,
          model: { name: 'shrink-vision', version: '4.2.1' },
        };
  accepted.push(...(await client.send(event)));
}
await client.close(0);

// Deliver (acknowledge) the first entries, as a drain cut short would.
const reopened = await DiskSpool.open(spool);
const entries = await reopened.read(reopened.cursor, 1024 * 1024);
if (entries.length !== accepted.length) throw new Error(`spooled ${entries.length}`);
await reopened.ack((entries[ACKED - 1] as (typeof entries)[number]).next);
await reopened.close();

writeFileSync(
  join(here, 'spool-v1.events.json'),
  `${JSON.stringify(
    {
      madeBy: 'tests/edge-fixtures/make-spool-v1.ts at commit 9d16b18 (spool format 1, no marker)',
      deviceId: DEVICE,
      acknowledged: accepted.slice(0, ACKED),
      pending: accepted.slice(ACKED),
    },
    null,
    2,
  )}\n`,
);
console.log(`spool-v1: ${accepted.length - ACKED} pending, ${ACKED} acknowledged`);
