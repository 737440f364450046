import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MEASURED_FLEET_FIGURES } from '../helpers/fleet-run-fixture.js';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'infra/tools/plan.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('CLI: npm run plan', () => {
  it('prints both designs and, as its last line, the plan as JSON', () => {
    const result = run('--stores', '10500', '--lanes', '40', '--events-per-lane-hour', '30');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('monthly total');
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    expect(last.workload).toMatchObject({ stores: 10_500, lanes: 40, eventsPerLaneHour: 30 });
    expect(last.ours.monthlyCostUsd.total).toBeGreaterThan(0);
    expect(last.ours.monthlyCostUsd.total).toBeLessThan(last.naive.monthlyCostUsd.total);
    expect(last.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('names the flag when a value is wrong', () => {
    const result = run('--stores', 'many');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--stores');
  });

  it('answers a malformed command line with the problem and the usage, not a stack trace', () => {
    for (const args of [['--stores', '-1'], ['--bogus']]) {
      const result = run(...args);

      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/--stores|--bogus/);
      expect(result.stderr).toContain('npm run plan -- [options]');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('CLI: npm run plan, capacity modes and the fleet run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);

  it('compares each capacity mode with on-demand and prints the options that deploy it', () => {
    const result = run('--dynamodb', 'provisioned', '--kinesis', 'provisioned');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('capacity modes, this design');
    expect(result.stdout).toMatch(/-c dynamodbCapacity=provisioned -c dynamodbMinWrite=\d+/);
    const out = lastJson(result.stdout);
    expect(out.ours.monthlyCostUsd.dynamodb).toBe(
      out.ours.capacityModes.dynamodb.provisioned.costUsd,
    );
    expect(out.ours.monthlyCostUsd.kinesis).toBe(
      out.ours.capacityModes.kinesis.provisioned.costUsd,
    );
  });

  it('takes a bench:fleet profile into the figures file, then uses it at its settings only', () => {
    // Prepare: a copy of the figures without a fleet entry, and a bench:fleet output
    const figures = join(dir, 'figures.json');
    const { fleet: _, ...rest } = JSON.parse(
      readFileSync('infra/tools/cost-model/measured-figures.json', 'utf8'),
    );
    writeFileSync(figures, JSON.stringify(rest));
    const line = join(dir, 'fleet.txt');
    const profile = {
      profile: 'window-60s',
      stores: 100,
      lanes: 4000,
      minutes: 3,
      slow: 1,
      exact: true,
      ...MEASURED_FLEET_FIGURES,
    };
    writeFileSync(line, `table\n${JSON.stringify({ bench: 'fleet', profiles: [profile] })}\n`);

    // Act
    const took = run(
      '--figures',
      figures,
      '--take-fleet-figures',
      line,
      '--profile',
      'window-60s',
      '--batch-size',
      '10000',
      '--batch-window-ms',
      '60000',
      '--measured-at',
      '2026-12-01',
    );
    const atItsSettings = run('--figures', figures);
    const elsewhere = run('--figures', figures, '--batch-size', '5000');

    // Assess
    expect(took.status, took.stderr).toBe(0);
    expect(JSON.parse(readFileSync(figures, 'utf8')).fleet).toMatchObject({
      command: 'npm run bench:fleet -- --stores 100 --minutes 3 --profile window-60s',
      settings: { batchSize: 10_000, batchWindowMs: 60_000, devicesPerStore: 40 },
      writeUnitsPerEvent: 0.23,
    });
    expect(atItsSettings.stdout).toContain('its figures are used above');
    expect(lastJson(atItsSettings.stdout).ours.dynamodb.writeUnitsPerEvent).toBe(0.23);
    expect(lastJson(atItsSettings.stdout).fleetRun).toMatchObject({
      used: true,
      profile: 'window-60s',
    });
    expect(elsewhere.stdout).toContain(
      'not used: these settings differ from its --batch-size 10000',
    );
    expect(lastJson(elsewhere.stdout).ours.sources.processor).toMatch(/^bench:processor fit/);
  });

  it('refuses to take a profile without naming it, or one the output lacks', () => {
    const figures = join(dir, 'untouched.json');
    copyFileSync('infra/tools/cost-model/measured-figures.json', figures);
    const before = readFileSync(figures, 'utf8');
    const line = join(dir, 'empty.txt');
    writeFileSync(
      line,
      `${JSON.stringify({ bench: 'fleet', profiles: [{ profile: 'baseline' }] })}\n`,
    );

    const unnamed = run('--figures', figures, '--take-fleet-figures', line);
    const absent = run(
      '--figures',
      figures,
      '--take-fleet-figures',
      line,
      '--profile',
      'window-60s',
    );

    expect(unnamed.status).toBe(2);
    expect(unnamed.stderr).toContain('--profile');
    expect(absent.status).toBe(2);
    expect(absent.stderr).toContain('"window-60s" is not in the line');
    expect(readFileSync(figures, 'utf8')).toBe(before);
  });
});
