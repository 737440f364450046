import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIOME = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');

/** Lints `source` as a file at `dir` in the repository (so biome.json's overrides apply). */
function lintAt(dir: string, source: string): { status: number | null; output: string } {
  const file = join(dir, `import-rule-probe-${randomUUID()}.ts`);
  const newFolder = !existsSync(join(ROOT, dir));
  mkdirSync(join(ROOT, dir), { recursive: true });
  writeFileSync(join(ROOT, file), source);
  try {
    const run = spawnSync(process.execPath, [BIOME, 'lint', '--colors=off', file], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(join(ROOT, newFolder ? dir : file), { recursive: true, force: true });
  }
}

describe('Lint: imports point one way', () => {
  it('fails an edge-client file that imports functions/ or infra/', () => {
    for (const target of ['../../functions/processor/handler.js', '../../infra/local/start.js']) {
      const result = lintAt(
        'edge-client/src',
        `import { x } from '${target}';\nexport const y = x;\n`,
      );
      expect(result.status).toBe(1);
      expect(result.output).toContain('lint/style/noRestrictedImports');
    }
  });

  it('passes an edge-client file that imports inside edge-client (the control)', () => {
    const result = lintAt(
      'edge-client/src',
      "import { EdgeClient } from './core/edge-client.js';\nexport const y = EdgeClient;\n",
    );
    expect(result).toMatchObject({ status: 0 });
  });

  it('fails a domain file that imports an adapter or an AWS SDK, and passes one that imports the contract', () => {
    const bad = lintAt(
      'functions/domain',
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { countersOf } from '../adapters/item-codec.js';\nexport const y = [DynamoDBClient, countersOf];\n",
    );
    expect(bad.status).toBe(1);
    expect(bad.output.match(/lint\/style\/noRestrictedImports/g)).toHaveLength(2);
    const good = lintAt(
      'functions/domain',
      "import { parseTelemetryJson } from '#contract';\nimport { addCounters } from './counters.js';\nexport const y = [parseTelemetryJson, addCounters];\n",
    );
    expect(good).toMatchObject({ status: 0 });
  });

  // Each row: a folder, an import a file there must not make, and one it may (the control).
  const DIRECTIONS: { dir: string; refused: string; allowed: string }[] = [
    { dir: 'edge-client/src', refused: '#processor', allowed: '#contract' },
    { dir: 'edge-client/src/wire', refused: '../core/edge-client.js', allowed: '#contract' },
    { dir: 'edge-client/src/contract', refused: '#wire', allowed: 'zod' },
    { dir: 'functions/processor', refused: '../domain/counters.js', allowed: '#domain/counters' },
    { dir: 'functions/processor', refused: '#impact-api', allowed: '#adapters' },
    { dir: 'functions/domain', refused: '#adapters', allowed: '#wire' },
    { dir: 'functions/adapters', refused: '#processor', allowed: '#domain/ports' },
    { dir: 'functions/mcp', refused: '#adapters', allowed: '#impact-api' },
    { dir: 'functions/impact-api', refused: '#local', allowed: '#shared/resources' },
    { dir: 'functions/impact-api', refused: '#ops-api', allowed: '#shared/principal' },
    { dir: 'functions/ops-api', refused: '#impact-api', allowed: '#api-schemas' },
    { dir: 'functions/ops-api', refused: '#mcp', allowed: '#processor' },
    { dir: 'functions/ops-api', refused: '#edge-client', allowed: '#archive' },
    { dir: 'functions/mcp', refused: '#ops-api', allowed: '#api-schemas' },
    { dir: 'functions/fleet-watch', refused: '#processor', allowed: '#adapters' },
    { dir: 'functions/processor', refused: '#fleet-watch', allowed: '#domain/fleet-watch' },
    { dir: 'functions/ops-api', refused: '#fleet-watch', allowed: '#processor' },
    { dir: 'infra/cdk/constructs', refused: '#local', allowed: '#processor' },
    { dir: 'infra/local', refused: 'aws-cdk-lib', allowed: '#processor' },
    { dir: 'infra/local', refused: '#cdk', allowed: '#dashboard' },
    { dir: 'infra/tools', refused: '../local/provision.js', allowed: '#local' },
    { dir: 'infra/dashboard/src', refused: '#domain/counters', allowed: '#api-schemas' },
    { dir: 'infra/dashboard/src', refused: 'node:fs', allowed: 'chart.js' },
    { dir: 'infra/dashboard/src', refused: '#contract', allowed: './api.js' },
    {
      dir: 'functions/domain',
      refused: '#shared/middleware/parse-event',
      allowed: '#domain/counters',
    },
    { dir: 'functions/domain', refused: '@aws-lambda-powertools/logger', allowed: 'zod' },
    { dir: 'functions/shared', refused: '#adapters', allowed: '#domain/ports' },
    { dir: 'functions/archive', refused: '#impact-api', allowed: '#processor' },
    { dir: 'functions/a-new-folder', refused: '#processor', allowed: '#api-schemas' },
    { dir: 'edge-client/src/utils', refused: '#contract', allowed: 'node:timers/promises' },
  ];

  it.each(DIRECTIONS)(
    'in $dir refuses $refused and lets $allowed through',
    ({ dir, refused, allowed }) => {
      const probe = (specifier: string) =>
        lintAt(dir, `import * as m from '${specifier}';\nexport const y = m;\n`);
      const bad = probe(refused);
      expect(bad.status).toBe(1);
      expect(bad.output).toContain('lint/style/noRestrictedImports');
      expect(probe(allowed)).toMatchObject({ status: 0 });
    },
  );

  it('refuses createRequire and require() where imports are checked, so none hides', () => {
    for (const source of [
      "import { createRequire } from 'node:module';\nexport const r = createRequire(import.meta.url);\n",
      "export const r = require('../adapters/index.ts');\n",
    ]) {
      const result = lintAt('functions/domain', source);
      expect(result.status).toBe(1);
      expect(result.output).toMatch(/noRestrictedImports|noRestrictedGlobals/);
    }
  });
});
