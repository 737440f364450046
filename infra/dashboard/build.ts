import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DASHBOARD_DIST = join(DASHBOARD_DIR, 'dist');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** Builds the dashboard with Vite into `outDir` (default `infra/dashboard/dist`). */
export async function buildDashboard(outDir = DASHBOARD_DIST): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: join(DASHBOARD_DIR, 'vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'error',
  });
  return outDir;
}

/** True when `dist/` holds a build at least as new as every source file. */
export function dashboardIsBuilt(): boolean {
  const index = join(DASHBOARD_DIST, 'index.html');
  const sources = Math.max(
    newestMtime(join(DASHBOARD_DIR, 'src')),
    newestMtime(join(DASHBOARD_DIR, 'index.html')),
    newestMtime(join(DASHBOARD_DIR, 'vite.config.ts')),
  );
  return existsSync(index) && statSync(index).mtimeMs >= sources;
}

/** The built dashboard, rebuilt first when its sources are newer than the build. */
export async function ensureDashboard(): Promise<string> {
  if (!dashboardIsBuilt()) await buildDashboard();
  return DASHBOARD_DIST;
}

/**
 * The same, synchronously, into `outDir` (CDK's local asset bundling is synchronous): copies a
 * fresh build, or runs Vite in a child process.
 */
export function bundleDashboardSync(outDir: string): void {
  if (!dashboardIsBuilt()) {
    execFileSync(
      process.execPath,
      [
        join(DASHBOARD_DIR, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        join(DASHBOARD_DIR, 'vite.config.ts'),
      ],
      { stdio: 'inherit' },
    );
  }
  cpSync(DASHBOARD_DIST, outDir, { recursive: true });
}
