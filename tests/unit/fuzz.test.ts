/**
 * Property-based fuzzing: thousands of generated and mutated inputs into every parser that
 * faces the outside (the contract, the record decoder, the spool reader, the API's query
 * parser). None may crash; each answers with its typed result or typed error.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTelemetryEvent, parseTelemetryJson } from '#contract';
import {
  DICTIONARY_DEFLATE_MAGIC,
  deflateWithDictionary,
  encodeAggregate,
  MAX_INFLATED_BYTES,
} from '#wire';
import { DiskSpool } from '../../edge-client/src/spool/disk-spool.js';
import { decodeRecord } from '../../functions/domain/decode-record.js';
import {
  ImpactQuery,
  LeaderboardQuery,
  StoreShrinkQuery,
} from '../../functions/impact-api/query-params.js';
import { parseParams } from '../../functions/shared/parse-params.js';
import { isHttpProblem } from '../../functions/shared/problem.js';
import { detection, incident, outcome } from '../helpers/factories.js';

const RUNS = 2_000;
const valid = () => {
  const d = detection();
  return [d, outcome(d), incident()];
};

/** A valid event with one field removed, retyped, or set to a hostile value. */
const mutatedEvent = fc
  .tuple(
    fc.constantFrom(...valid()),
    fc.nat(),
    fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.array(fc.integer()),
      fc.object(),
      fc.constant('a'.repeat(100_000)),
      fc.constant(-1),
      fc.constant(Number.MAX_SAFE_INTEGER + 2),
    ),
  )
  .map(([event, pick, value]) => {
    const copy: Record<string, unknown> = { ...event };
    const keys = Object.keys(copy);
    const key = keys[pick % keys.length] as string;
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  });

describe('Fuzz: the contract parser', () => {
  it('answers any JSON value with a result, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = parseTelemetryEvent(input);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses every mutated event with named issues, or accepts it whole', () => {
    fc.assert(
      fc.property(mutatedEvent, (input) => {
        const result = parseTelemetryEvent(input);
        if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers any bytes as JSON with a result', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        expect(typeof parseTelemetryJson(Buffer.from(text)).ok).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Fuzz: the record decoder (gzip, dictionary-deflate, KPL aggregates, JSON)', () => {
  const aggregate = encodeAggregate(
    valid().map((e) => ({ partitionKey: e.deviceId, data: Buffer.from(JSON.stringify(e)) })),
  );
  const gzipped = gzipSync(aggregate);
  const dictionary = deflateWithDictionary(aggregate);
  // Arbitrary bytes rarely start with a format's magic: most of them are given one.
  const prefixes = fc.constantFrom(
    Buffer.alloc(0),
    Buffer.from([0x1f, 0x8b]),
    Buffer.concat([DICTIONARY_DEFLATE_MAGIC, Buffer.of(1)]),
    DICTIONARY_DEFLATE_MAGIC,
  );

  it('answers arbitrary bytes with typed items, never a throw', () => {
    fc.assert(
      fc.property(prefixes, fc.uint8Array({ maxLength: 2_000 }), (prefix, tail) => {
        const bytes = Buffer.concat([prefix, tail]);
        const decoded = decodeRecord(bytes);
        for (const refusal of decoded.refused) expect(refusal.reason).toMatch(/^[a-z_]+$/);
        expect(decoded.inflatedBytes).toBeLessThanOrEqual(MAX_INFLATED_BYTES);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers every bit flip and truncation of a real aggregate with typed items', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(aggregate, gzipped, dictionary),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (source, at, cut, bit) => {
          const bytes = Buffer.from(source);
          bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ (1 << bit);
          const mutated = bytes.subarray(0, bytes.length - (cut % 8));
          const decoded = decodeRecord(mutated);
          expect(decoded.events.length + decoded.refused.length).toBeGreaterThan(0);
          for (const item of decoded.events) expect(item.event.schemaVersion).toBe(1);
          for (const refusal of decoded.refused) expect(refusal.detail.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('Fuzz: the spool reader', () => {
  it('opens and reads a spool whose segment bytes were damaged anywhere, skipping and counting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-fuzz-'));
    try {
      const spool = await DiskSpool.open({ dir });
      await spool.append(Array.from({ length: 40 }, (_, i) => Buffer.from(`event-${i}`)));
      await spool.close();
      const file = join(dir, readdirSync(dir).find((f) => f.startsWith('segment-')) as string);
      const original = readFileSync(file);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
            minLength: 1,
            maxLength: 6,
          }),
          fc.nat(),
          async (flips, cut) => {
            const bytes = Buffer.from(original);
            for (const [at, mask] of flips) {
              bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ mask;
            }
            writeFileSync(file, bytes.subarray(0, bytes.length - (cut % 32)));
            rmSync(join(dir, 'cursor.json'), { force: true });
            const reopened = await DiskSpool.open({ dir });
            const entries = await reopened.read(reopened.cursor, 1_000_000);
            // Whatever survived is an entry that was written, in order.
            const texts = entries.map((e) => e.payload.toString());
            for (const t of texts) expect(t).toMatch(/^event-\d+$/);
            const numbers = texts.map((t) => Number(t.slice(6)));
            expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
            const stats = reopened.stats();
            expect(stats.corruptBytesSkipped + stats.tornTailBytes).toBeGreaterThanOrEqual(0);
            await reopened.close();
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Fuzz: the API's query parser", () => {
  const params = fc.dictionary(
    fc.oneof(
      fc.constantFrom('from', 'to', 'region', 'sort', 'order', 'limit', 'cursor', 'granularity'),
      fc.string({ maxLength: 12 }),
    ),
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.integer().map(String),
    ),
    { maxKeys: 6 },
  );

  it('parses any query string into the typed query or a 400 problem naming the parameters', () => {
    fc.assert(
      fc.property(
        params,
        fc.constantFrom(ImpactQuery, LeaderboardQuery, StoreShrinkQuery),
        (query, schema) => {
          try {
            const parsed = parseParams(schema, query) as { from: string; to: string };
            expect(parsed.from <= parsed.to).toBe(true);
          } catch (error) {
            expect(isHttpProblem(error)).toBe(true);
            const problem = error as { status: number; errors?: { name: string }[] };
            expect(problem.status).toBe(400);
            expect(problem.errors?.length ?? 0).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
