import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../functions/impact-api/throttling.js';
import { startApiServer } from '../../infra/local/api-server.js';
import { openDevIssuer } from '../../infra/local/dev-issuer.js';

describe('Integration: local API Gateway stand-in', () => {
  it('answers 429 past the configured rate, like the deployed stage', async () => {
    const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    const server = await startApiServer({
      issuer,
      port: 0,
      throttle: { rateLimit: 1, burstLimit: 2 },
      handler: async () => ({ statusCode: 200, body: '{}' }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.url}/openapi.json`)).status);
    await server.close();
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('hands verified claims to the handler and refuses forged tokens with 401', async () => {
    const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    const other = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    let seen: unknown;
    const server = await startApiServer({
      issuer,
      port: 0,
      handler: async (event) => {
        seen = (event.requestContext as { authorizer?: { jwt?: { claims?: unknown } } }).authorizer
          ?.jwt?.claims;
        return { statusCode: 200, body: '{}' };
      },
    });
    const good = await issuer.sign({ sub: 'u', 'custom:role': 'leadership' }, 60);
    const forged = await other.sign({ sub: 'u', 'custom:role': 'leadership' }, 60);
    const expired = await issuer.sign({ sub: 'u', 'custom:role': 'leadership' }, -10);
    const status = async (token: string) =>
      (
        await fetch(`${server.url}/v1/impact?from=2026-01-01&to=2026-01-02`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status;
    expect(await status(good)).toBe(200);
    expect(seen).toMatchObject({ sub: 'u', 'custom:role': 'leadership' });
    expect([await status(forged), await status(expired), await status('')]).toEqual([
      401, 401, 401,
    ]);
    expect((await fetch(`${server.url}/v1/unknown`)).status).toBe(404);
    await server.close();
  });
});

describe('Class: TokenBucket', () => {
  it('allows a burst, then the steady rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now += 100; // 0.1 s at 10/s: one more token
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });
});
