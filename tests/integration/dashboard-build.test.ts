import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DIST, ensureDashboard } from '../../infra/dashboard/build.js';

describe('Build: the dashboard', () => {
  it('loads under 200 KB of compressed JavaScript, all of it its own files', async () => {
    await ensureDashboard();
    const html = readFileSync(join(DASHBOARD_DIST, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThan(0);
    // Same origin only: no CDN, no third-party script.
    for (const src of scripts) expect(src).toMatch(/^\.\/assets\//);
    const js = readdirSync(join(DASHBOARD_DIST, 'assets')).filter((f) => f.endsWith('.js'));
    const gzipped = js.reduce(
      (sum, f) => sum + gzipSync(readFileSync(join(DASHBOARD_DIST, 'assets', f))).length,
      0,
    );
    expect(gzipped).toBeLessThan(200 * 1024);
  });
});
