import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/impact-api/routes.js';
import { buildDashboard } from '../../infra/dashboard/build.js';
import type { DevIssuer } from '../../infra/local/dev-issuer.js';
import { handleLocalSignIn, withLocalSignIn } from '../../infra/local/local-sign-in.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) =>
    statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)],
  );

describe('Local sign-in stays local', () => {
  it('is absent from every file of the dashboard bundle that is deployed', async () => {
    // The build CDK deploys (bundleDashboardSync copies this same Vite build).
    const out = mkdtempSync(join(tmpdir(), 'sfi-dash-build-'));
    dirs.push(out);
    await buildDashboard(out);
    const files = filesUnder(out);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toContain('/local/sign-in');
      expect(text, f).not.toContain('local-sign-in');
      expect(text, f).not.toContain('Local stack only');
    }
    // Only the local server adds it, to the page it serves.
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(withLocalSignIn(html)).toContain('src="/local/sign-in.js"');
  }, 120_000);

  it('is no route of the API (so the CDK stack, built from ROUTES, has none)', () => {
    expect(ROUTES.filter((r) => r.path.startsWith('/local'))).toEqual([]);
  });

  it('mints no token for a caller off the loopback interface', async () => {
    const signed: unknown[] = [];
    const issuer = {
      sign: async (claims: unknown) => {
        signed.push(claims);
        return 'token';
      },
    } as unknown as DevIssuer;
    const call = async (remoteAddress: string, path: string, method = 'POST') => {
      let status = 0;
      let body = '';
      const res = {
        writeHead: (s: number) => {
          status = s;
        },
        end: (b: string) => {
          body = b;
        },
      } as unknown as ServerResponse;
      const req = { method, socket: { remoteAddress } } as unknown as IncomingMessage;
      const handled = await handleLocalSignIn(req, res, path, issuer);
      return { handled, status, body };
    };
    for (const role of ['leadership', 'operator', 'store_manager']) {
      expect((await call('192.168.1.20', `/local/sign-in/${role}`)).status).toBe(403);
      expect((await call('::ffff:10.0.0.7', `/local/sign-in/${role}`)).status).toBe(403);
    }
    expect((await call('10.0.0.7', '/local/sign-in.js', 'GET')).status).toBe(403);
    expect(signed).toEqual([]);
    const ok = await call('127.0.0.1', '/local/sign-in/leadership');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ token: 'token', role: 'leadership' });
    expect(signed).toEqual([{ sub: 'local-leadership', 'custom:role': 'leadership' }]);
    expect((await call('127.0.0.1', '/local/sign-in/admin')).status).toBe(404);
    expect((await call('127.0.0.1', '/local/sign-in/operator')).status).toBe(404);
    expect((await call('127.0.0.1', '/local/sign-in/leadership', 'GET')).status).toBe(404);
    expect((await call('127.0.0.1', '/v1/impact')).handled).toBe(false);
  });
});
