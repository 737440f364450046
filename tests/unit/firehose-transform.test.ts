import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeAggregate, MAX_INFLATED_BYTES } from '#wire';
import { fromArchiveLine, toArchiveLine } from '../../functions/archive/archive-line.js';
import { RESPONSE_BUDGET_BYTES, transform } from '../../functions/archive/firehose-transform.js';
import { readArchive } from '../../functions/archive/read-archive.js';
import { decodeRecord } from '../../functions/domain/decode-record.js';
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
/** A version-3 line's screened body (the gzipped part): its JSON header, and everything as text. */
function screened(line: { screened: string }) {
  const body = gunzipSync(Buffer.from(line.screened, 'base64'));
  const end = body.indexOf(0x0a);
  return {
    header: JSON.parse(body.subarray(0, end).toString('utf8')),
    text: body.toString('utf8'),
  };
}
const bodyText = (line: { screened: string }) => screened(line).text;
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
      v: 3,
      shardId: 'shardId-000000000001',
      sequenceNumber: '49550',
      partitionKey: 'panel-1',
      arrivedAt: 1_764_430_000_000,
      sizeBytes: refused.byteLength,
      screened: expect.any(String),
    });
    expect(screened(face).header).toEqual({
      recordBytes: [],
      keptAt: [],
      keptRecord: [],
      refused: [
        {
          reason: 'schema_violation',
          detail: 'faceEmbedding: not a field of the v1 contract',
          at: [0],
          count: 1,
        },
      ],
    });
    expect(screened(corrupt).header).toMatchObject({
      recordBytes: [],
      refused: [{ reason: 'undecodable' }],
    });
    for (const line of [face, corrupt]) {
      const text = JSON.stringify(line) + bodyText(line);
      expect(text).not.toContain(refused.toString('base64').slice(0, 40));
      for (const value of EMBEDDING) expect(text).not.toContain(String(value));
    }
  });

  it('keeps its answer within the response budget by dropping stubs, never an accepted event', () => {
    // Prepare: a flood of 1-byte refused records (each line outweighs its record), with honest
    // records among them.
    const honest = [json(detection()), json(detection())];
    const flood = Array.from({ length: 12_000 }, () => Buffer.from('x'));
    const records = [honest[0] as Buffer, ...flood, honest[1] as Buffer];

    // Act
    const result = transform(event(records));

    // Assess: within budget, nothing failed (Firehose would write its raw bytes under errors/),
    // both honest records kept and reading back, only stubs dropped.
    const size = result.records.reduce(
      (n, r) => n + r.recordId.length + (r.data?.length ?? 0) + 48,
      0,
    );
    expect(size).toBeLessThanOrEqual(RESPONSE_BUDGET_BYTES);
    expect(result.records.some((r) => r.result === 'ProcessingFailed')).toBe(false);
    const first = result.records[0];
    const last = result.records.at(-1);
    expect([first?.result, last?.result]).toEqual(['Ok', 'Ok']);
    expect(
      [first, last].map((r) => fromArchiveLine(Buffer.from(r?.data ?? '', 'base64').toString())),
    ).toMatchObject([{ data: honest[0] }, { data: honest[1] }]);
    const dropped = result.records.filter((r) => r.result === 'Dropped');
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.length).toBeLessThan(flood.length);
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
    expect(line.v).toBe(3);
    const body = screened(line);
    const kept = [JSON.stringify(good[0]), JSON.stringify(good[1])];
    expect(body.text).toBe(`${JSON.stringify(body.header)}\n${kept.join('')}`);
    expect(body.header).toMatchObject({
      recordBytes: kept.map((k) => k.length),
      keptAt: [0, 2],
      keptRecord: [0, 0],
    });
    for (const k of kept) expect(k).not.toContain('faceEmbedding');
    const everything = text + body.text;
    for (const value of EMBEDDING) expect(everything).not.toContain(String(value));
    expect(everything).not.toContain(face.eventId);
    expect(body.header.refused).toEqual([
      {
        reason: 'schema_violation',
        detail: 'faceEmbedding: not a field of the v1 contract',
        at: [1],
        count: 1,
      },
    ]);
    expect(back.data).toMatchObject({
      kept: [{ subSequenceNumber: 0 }, { subSequenceNumber: 2 }],
      refused: [{ subSequenceNumbers: [1] }],
    });
    // Read back, it decodes as the live record did: the same events, the same refusal.
    expect(decodeRecord(back.data)).toEqual({
      ...decodeRecord(record.data),
      inflatedBytes: expect.any(Number),
      events: decodeRecord(record.data).events.map((e) => ({ ...e, bytes: expect.anything() })),
    });
  });

  it("keeps a hostile record's line within twice the record's size, however many user records it repeats", () => {
    // Prepare: ~1 MiB of user records in a few KB of gzip, each with one refused user record:
    // one event repeated (the memo's case), and distinct events that differ only in `seq`.
    const one = detection();
    const fill = (make: (i: number) => unknown) => {
      const users: { partitionKey: string; data: Buffer }[] = [];
      for (let i = 0, size = 0; size < MAX_INFLATED_BYTES - 2_000; i++) {
        const data = json(i === 1 ? { ...one, faceEmbedding: EMBEDDING } : make(i));
        users.push({ partitionKey: 'p', data });
        size += data.byteLength + 8;
      }
      return gzipSync(encodeAggregate(users), { level: 9 });
    };
    const hostile = [fill(() => one), fill((i) => ({ ...one, seq: i }))];

    for (const data of hostile) {
      const record = {
        shardId: 's-1',
        sequenceNumber: '42',
        partitionKey: 'p',
        arrivedAt: 1,
        data,
      };
      const live = decodeRecord(data);
      expect(live.inflatedBytes).toBeGreaterThan(MAX_INFLATED_BYTES / 2);

      // Act
      const text = toArchiveLine(record);

      // Assess: the line is the size of the record, not of what it inflates to; it reads back
      // to the same events and refusals.
      expect(text.length).toBeLessThanOrEqual(2 * data.byteLength + 512);
      const back = decodeRecord(fromArchiveLine(text.trimEnd()).data);
      expect(back.refused).toEqual(live.refused);
      expect(back.events.map((e) => [e.subSequenceNumber, Buffer.from(e.bytes)])).toEqual(
        live.events.map((e) => [e.subSequenceNumber, Buffer.from(e.bytes)]),
      );
    }
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
