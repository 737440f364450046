import { describe, expect, it } from 'vitest';
import { fromArchiveLine } from '../../functions/archive/archive-line.js';
import { transform } from '../../functions/archive/firehose-transform.js';

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
