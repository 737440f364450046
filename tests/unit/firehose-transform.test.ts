import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeAggregate } from '../../edge-client/src/aggregation/kpl-format.js';
import { fromArchiveLine, toArchiveLine } from '../../functions/archive/archive-line.js';
import { transform } from '../../functions/archive/firehose-transform.js';
import { decodeRecord } from '../../functions/domain/decode-record.js';
import { readArchive } from '../../infra/local/archiver.js';
import { detection } from '../helpers/factories.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const event = (records: readonly Buffer[]) => ({
  records: records.map((data, i) => ({
    recordId: `r${i}`,
    data: data.toString('base64'),
    kinesisRecordMetadata: {
      shardId: 'shardId-000000000001',
      partitionKey: 'panel-1',
      sequenceNumber: `4955${i}`,
      approximateArrivalTimestamp: 1_764_430_000_000 + i,
    },
  })),
});
const linesOf = (result: ReturnType<typeof transform>) =>
  result.records.map((r) => Buffer.from(r.data ?? '', 'base64').toString('utf8'));
const EMBEDDING = [0.731_942, -0.118_305, 0.552_071];

describe('Function: Firehose archive transform', () => {
  it('turns each Kinesis record into one archive line that reads back to the same record', () => {
    // Prepare: a gzipped aggregate and a plain JSON event, both accepted by the contract.
    const aggregate = gzipSync(
      encodeAggregate(
        [detection(), detection()].map((d) => ({ partitionKey: 'p', data: json(d) })),
      ),
    );
    const plain = json(detection());

    // Act
    const result = transform(event([aggregate, plain]));

    // Assess
    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      ['r0', 'Ok'],
      ['r1', 'Ok'],
    ]);
    const lines = linesOf(result);
    for (const line of lines) expect(line.endsWith('\n')).toBe(true);
    const back = lines.map((l) => fromArchiveLine(l.trimEnd()));
    expect(back.map((r) => Buffer.from(r.data as Uint8Array))).toEqual([aggregate, plain]);
    expect(back[0]).toMatchObject({
      shardId: 'shardId-000000000001',
      sequenceNumber: '49550',
      partitionKey: 'panel-1',
      arrivedAt: 1_764_430_000_000,
    });
  });

  it('keeps neither the bytes nor the values of a record the contract refuses, and answers it Ok', () => {
    // Prepare: a plain detection with a face embedding, and undecodable bytes.
    const refused = json({ ...detection(), faceEmbedding: EMBEDDING });
    const garbage = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x0a, 0x0d, 0xff]);

    // Act
    const result = transform(event([refused, garbage]));

    // Assess
    expect(result.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    const [face, corrupt] = linesOf(result).map((l) => JSON.parse(l));
    expect(face).toEqual({
      v: 2,
      shardId: 'shardId-000000000001',
      sequenceNumber: '49550',
      partitionKey: 'panel-1',
      arrivedAt: 1_764_430_000_000,
      sizeBytes: refused.byteLength,
      kept: [],
      refused: [
        {
          reason: 'schema_violation',
          detail: 'faceEmbedding: not a field of the v1 contract',
          subSequenceNumbers: [0],
          count: 1,
        },
      ],
    });
    expect(corrupt).toMatchObject({ v: 2, kept: [], refused: [{ reason: 'undecodable' }] });
    for (const line of linesOf(result)) {
      expect(line).not.toContain(refused.toString('base64').slice(0, 40));
      for (const value of EMBEDDING) expect(line).not.toContain(String(value));
    }
  });
});

describe('Function: toArchiveLine (what the archive keeps)', () => {
  it('keeps the good user records of an aggregate at their sub-sequence numbers, and only the position and reason of a refused one', () => {
    // Prepare: a faceEmbedding detection between two good neighbours, in one gzipped aggregate.
    const good = [detection({ estimatedLossCents: 11 }), detection({ estimatedLossCents: 22 })];
    const face = { ...detection(), faceEmbedding: EMBEDDING };
    const users = [good[0], face, good[1]].map((e) => ({ partitionKey: 'p', data: json(e) }));
    const record = {
      shardId: 's-1',
      sequenceNumber: '42',
      partitionKey: 'p',
      arrivedAt: 1_764_430_000_000,
      data: gzipSync(encodeAggregate(users)),
    };

    // Act
    const text = toArchiveLine(record);
    const line = JSON.parse(text);
    const back = fromArchiveLine(text.trimEnd());

    // Assess: nothing of the refused event, neither in the line nor in the bytes it keeps.
    expect(line.v).toBe(2);
    const kept = (line.kept as { subSequenceNumber: number; data: string }[]).map((k) => ({
      subSequenceNumber: k.subSequenceNumber,
      text: Buffer.from(k.data, 'base64').toString('utf8'),
    }));
    expect(kept).toEqual([
      { subSequenceNumber: 0, text: JSON.stringify(good[0]) },
      { subSequenceNumber: 2, text: JSON.stringify(good[1]) },
    ]);
    for (const k of kept) expect(k.text).not.toContain('faceEmbedding');
    for (const value of EMBEDDING) expect(text).not.toContain(String(value));
    expect(text).not.toContain(face.eventId);
    expect(line.refused).toEqual([
      {
        reason: 'schema_violation',
        detail: 'faceEmbedding: not a field of the v1 contract',
        subSequenceNumbers: [1],
        count: 1,
      },
    ]);
    // Read back, it decodes as the live record did: the same events, the same refusal.
    expect(decodeRecord(back.data)).toEqual({
      ...decodeRecord(record.data),
      inflatedBytes: expect.any(Number),
      events: decodeRecord(record.data).events.map((e) => ({ ...e, bytes: expect.anything() })),
    });
  });

  it('still reads version-1 lines written before the archive screened records', () => {
    const v1 = JSON.stringify({
      shardId: 's-1',
      sequenceNumber: '7',
      partitionKey: 'p',
      arrivedAt: 1,
      data: Buffer.from('{"a":1}').toString('base64'),
    });
    expect(Buffer.from(fromArchiveLine(v1).data as Uint8Array).toString()).toBe('{"a":1}');
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
