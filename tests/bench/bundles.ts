import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUNCTION_DEFAULTS } from '../../infra/cdk/constructs/function-defaults.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const FUNCTIONS = {
  processor: 'functions/processor/handler.ts',
  'impact-api': 'functions/impact-api/handler.ts',
} as const;

/**
 * A scratch folder inside the repository's node_modules, so that `@aws-sdk/*` left out of a
 * bundle resolves the way the Lambda runtime's copy does.
 */
export function scratchDir(name: string): string {
  const dir = join(ROOT, 'node_modules', '.cache', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Builds a function bundle with the esbuild settings the CDK stack uses (`asDeployed`), or the
 * baseline: the same handler with the whole AWS SDK bundled and no minification.
 */
export async function bundleFunction(
  outDir: string,
  name: string,
  entry: string,
  asDeployed: boolean,
): Promise<string> {
  const bundling = FUNCTION_DEFAULTS.bundling ?? {};
  const outfile = join(outDir, `${name}${asDeployed ? '' : '-baseline'}.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundling.target ?? 'node22',
    minify: asDeployed && bundling.minify === true,
    external: asDeployed ? [...(bundling.externalModules ?? [])] : [],
    banner: { js: bundling.banner ?? '' },
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
