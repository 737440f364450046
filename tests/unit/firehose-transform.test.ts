import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromArchiveLine, toArchiveLine } from '../../functions/archive/archive-line.js';
import { transform } from '../../functions/archive/firehose-transform.js';
import { readArchive } from '../../infra/local/archiver.js';

describe('Function: Firehose archive transform', () => {
  it('turns each Kinesis record into one archive line that reads back to the same record', () => {
    // Prepare: a binary record (as gzipped aggregates are) and a JSON one.
    const binary = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x0a, 0x0d, 0xff]);
    const json = Buffer.from('{"type":"detection"}');
    const event = {
      records: [binary, json].map((data, i) => ({
        recordId: `r${i}`,
        data: data.toString('base64'),
        kinesisRecordMetadata: {
          shardId: 'shardId-000000000001',
          partitionKey: 'panel-1',
          sequenceNumber: `4955${i}`,
          approximateArrivalTimestamp: 1_764_430_000_000 + i,
        },
      })),
    };

    // Act
    const result = transform(event);

    // Assess
    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      ['r0', 'Ok'],
      ['r1', 'Ok'],
    ]);
    const lines = result.records.map((r) => Buffer.from(r.data ?? '', 'base64').toString('utf8'));
    for (const line of lines) expect(line.endsWith('\n')).toBe(true);
    const back = lines.map((l) => fromArchiveLine(l.trimEnd()));
    expect(back.map((r) => Buffer.from(r.data))).toEqual([binary, json]);
    expect(back[0]).toMatchObject({
      shardId: 'shardId-000000000001',
      sequenceNumber: '49550',
      partitionKey: 'panel-1',
      arrivedAt: 1_764_430_000_000,
    });
  });
});

describe('Function: readArchive', () => {
  it('reads the local archive files and gzipped objects synced down from Firehose alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-'));
    const record = (seq: string) => ({
      shardId: 's-1',
      sequenceNumber: seq,
      partitionKey: 'p',
      arrivedAt: 1,
      data: Buffer.from(seq),
    });
    mkdirSync(join(dir, 'raw', '2026', '11', '28'), { recursive: true });
    mkdirSync(join(dir, 'raw', '2026', '11', '29'), { recursive: true });
    writeFileSync(
      join(dir, 'raw', '2026', '11', '28', 'firehose-object.gz'),
      gzipSync(toArchiveLine(record('1')) + toArchiveLine(record('2'))),
    );
    writeFileSync(join(dir, 'raw', '2026', '11', '29', 's-1.ndjson'), toArchiveLine(record('3')));
    expect([...readArchive(dir)].map((r) => r.sequenceNumber)).toEqual(['1', '2', '3']);
  });
});
