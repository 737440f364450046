import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  JSON_SCHEMA_FILE,
  OncallIncidentReport,
  parseTelemetryEvent,
  parseTelemetryJson,
  telemetryEventJsonSchema,
} from '#contract';
import { detection, incident, outcome } from '../helpers/factories.js';

describe('Contract: telemetry event v1', () => {
  it('accepts one valid event of each type', () => {
    const d = detection();
    for (const event of [d, outcome(d), incident()]) {
      const result = parseTelemetryEvent(event);
      expect(result).toEqual({ ok: true, event });
    }
  });

  it('rejects an unknown key such as an image or a face embedding, naming it', () => {
    // Prepare
    const withImage = { ...detection(), image: 'data:image/png;base64,AAAA' };
    const withFace = { ...detection(), faceEmbedding: [0.1, 0.2] };

    // Act
    const results = [parseTelemetryEvent(withImage), parseTelemetryEvent(withFace)];

    // Assess
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    const paths = results.map((r) => (r.ok ? [] : r.issues.map((i) => i.path)));
    expect(paths).toEqual([['image'], ['faceEmbedding']]);
  });

  it('names the offending field of a bad value', () => {
    const result = parseTelemetryEvent({ ...detection(), confidence: 1.5 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['confidence']);
  });

  it('rejects non-integer cents, a non-ULID detection id and a local-time instant', () => {
    for (const bad of [
      { ...detection(), estimatedLossCents: 12.5 },
      { ...detection(), detectionId: 'not-a-ulid' },
      { ...detection(), occurredAt: '2026-06-15T12:00:00+02:00' },
      { ...detection(), schemaVersion: 2 },
    ]) {
      expect(parseTelemetryEvent(bad).ok).toBe(false);
    }
  });

  it('rejects identifiers that could carry free text', () => {
    expect(parseTelemetryEvent({ ...detection(), laneId: 'lane 1 (Jane Doe)' }).ok).toBe(false);
  });

  it('rejects a false positive that claims recovered money, and an incident resolved before it opened', () => {
    const d = detection();
    const fp = parseTelemetryEvent(outcome(d, { outcome: 'false_positive', recoveredCents: 100 }));
    const backwards = parseTelemetryEvent(
      incident({ openedAt: '2026-06-15T13:00:00.000Z', resolvedAt: '2026-06-15T12:00:00.000Z' }),
    );
    expect(fp.ok).toBe(false);
    if (!fp.ok) expect(fp.issues[0]?.path).toBe('recoveredCents');
    expect(backwards.ok).toBe(false);
    if (!backwards.ok) expect(backwards.issues[0]?.path).toBe('resolvedAt');
  });

  it("refuses the sender's fields in an incident report by name, and other keys as unknown", () => {
    const { schemaVersion: _v, eventId: _e, deviceId: _d, seq: _s, ...report } = incident();
    expect(OncallIncidentReport.safeParse(report).success).toBe(true);

    const result = OncallIncidentReport.safeParse({
      ...report,
      deviceId: 'agent-team-pos',
      seq: 424_242,
      note: 'x',
    });

    expect(result.error?.issues.map((i) => i.message)).toEqual([
      "deviceId, seq: assigned by the sender, never by the reporter (the device is the caller's own); note: not a field of an incident report",
    ]);
  });

  it('decodes JSON bytes, and refuses non-JSON and oversize payloads', () => {
    expect(parseTelemetryJson(Buffer.from(JSON.stringify(detection()))).ok).toBe(true);
    expect(parseTelemetryJson(Buffer.from('{not json')).ok).toBe(false);
    expect(parseTelemetryJson(Buffer.alloc(5_000, 0x20)).ok).toBe(false);
  });

  it('keeps the committed JSON Schema equal to the one generated from zod', () => {
    const committed = JSON.parse(readFileSync(JSON_SCHEMA_FILE, 'utf8'));
    expect(committed).toEqual(telemetryEventJsonSchema());
  });

  it('exports a JSON Schema that forbids unknown keys on every event type', () => {
    const schema = telemetryEventJsonSchema() as { oneOf: { additionalProperties: boolean }[] };
    expect(schema.oneOf).toHaveLength(4);
    expect(schema.oneOf.every((s) => s.additionalProperties === false)).toBe(true);
  });

  it('accepts the example events in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.split('```json')[1]?.split('```')[0] ?? '';
    const examples = block
      .trim()
      .split(/\n\s*\n/)
      .map((chunk) => JSON.parse(chunk.replace(/\n\s*/g, '')));
    expect(examples.map((e) => e.type)).toEqual([
      'detection',
      'detection_outcome',
      'oncall_incident',
    ]);
    for (const example of examples) expect(parseTelemetryEvent(example).ok).toBe(true);
  });
});
