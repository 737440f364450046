import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import type { EdgeClient } from '#edge-client';
import { defineFleet, emptyTruth, type GroundTruth } from '#simulator';
import { type BackfillRun, readPlan, runBackfill } from '../../infra/local/backfill.js';
import { readTruth } from '../../infra/local/local-simulation.js';

/**
 * A data folder's `simulator/history.json` edited by hand, truncated by a full disk or written
 * by someone else: the backfill must refuse it with an error naming the file, before a single
 * event is generated or sent (no hang on a huge day count, no future-dated seqs above the live
 * run's, no silent skip on a `done` that is not a boolean).
 */
const now = Date.parse('2026-11-20T15:00:00Z');
let dir: string;
let sent: TelemetryEvent[];
let run: BackfillRun;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfi-plan-'));
  mkdirSync(join(dir, 'simulator'));
  sent = [];
  const client = {
    send: async (events: TelemetryEvent[]) => {
      sent.push(...events);
    },
  } as unknown as EdgeClient;
  run = {
    client,
    fleet: defineFleet({ stores: 1, seed: 1 }),
    seed: 1,
    days: 2,
    baselines: { defaultMinutes: 60, classes: { pos_down: 30 } },
    planFile: join(dir, 'simulator', 'history.json'),
    truthFile: join(dir, 'simulator', 'ground-truth.json'),
    readTruth: (): GroundTruth => emptyTruth(),
    writeTruth: () => {},
    detectionsPerStoreDay: 2,
    now,
  };
});

const plan = { anchorMs: now - 1000, days: 2, seed: 1, truthRunsBefore: 0, done: false };
const writePlan = (text: string) => writeFileSync(run.planFile, text);

describe('Function: runBackfill, given a hostile history plan', () => {
  it.each([
    ['truncated JSON', '{"anchorMs": 17'],
    ['a JSON array', '[]'],
    ['a day count past the processor horizon', JSON.stringify({ ...plan, days: 10_000_000 })],
    ['a fractional day count', JSON.stringify({ ...plan, days: 1.5 })],
    ['an anchor in the future', JSON.stringify({ ...plan, anchorMs: now + 86_400_000 })],
    ['an anchor that is not a number', JSON.stringify({ ...plan, anchorMs: 'soon' })],
    ['a done flag that is not a boolean', JSON.stringify({ ...plan, done: 'yes' })],
    ['a negative truth run count', JSON.stringify({ ...plan, truthRunsBefore: -1 })],
  ])('refuses %s with an error naming the file, sending nothing', async (_, text) => {
    // Arrange
    writePlan(text);

    // Act / Assess
    await expect(runBackfill(run)).rejects.toThrow(/history\.json/);
    expect(sent).toHaveLength(0);
  });

  it('refuses an unfinished plan whose oldest days are now past the 35-day horizon', async () => {
    // Arrange: planned 10 days ago, 30 days back, killed before it was done.
    writePlan(JSON.stringify({ ...plan, days: 30, anchorMs: now - 10 * 86_400_000 }));

    // Act / Assess: the processor would dead-letter its oldest days as too_old while the
    // ground truth counted them.
    await expect(runBackfill(run)).rejects.toThrow(/history\.json.*too_old/);
    expect(sent).toHaveLength(0);
  });

  it('does nothing for a done plan, however old', async () => {
    writePlan(JSON.stringify({ ...plan, days: 30, anchorMs: now - 100 * 86_400_000, done: true }));
    await expect(runBackfill(run)).resolves.toBe(0);
    expect(sent).toHaveLength(0);
  });

  it('still resumes a valid plan that is not done, and marks it done', async () => {
    // Arrange
    writePlan(JSON.stringify(plan));

    // Act
    const spooled = await runBackfill(run);

    // Assess
    expect(spooled).toBeGreaterThan(0);
    expect(sent).toHaveLength(spooled);
    expect(readPlan(run.planFile)).toEqual({ ...plan, done: true });
    expect(JSON.parse(readFileSync(run.planFile, 'utf8')).done).toBe(true);
  });

  it.each([
    ['truncated JSON', '{"runs": 1, "eventsSent'],
    ['a JSON array', '[]'],
    ['a run count that is a string', JSON.stringify({ ...emptyTruth(), runs: '0' })],
    ['a negative figure', JSON.stringify({ ...emptyTruth(), eventsSent: -5 })],
  ])('refuses a ground truth with %s by name, before sending anything', async (_, text) => {
    // Arrange: an unfinished plan, and the real truth reader over a damaged file.
    writePlan(JSON.stringify(plan));
    writeFileSync(run.truthFile, text);

    // Act / Assess: no resend on every start that ends in the same error.
    await expect(runBackfill({ ...run, readTruth })).rejects.toThrow(/ground-truth\.json/);
    expect(sent).toHaveLength(0);
    expect(readPlan(run.planFile, now)?.done).toBe(false);
  });
});
