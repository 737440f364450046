import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
