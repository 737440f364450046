import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import type { ImpactReader } from '../../functions/impact-api/impact-reader.js';
import { type ApiHandler, startApiServer } from '../../infra/local/api-server.js';
import { openDevIssuer } from '../../infra/local/dev-issuer.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { abortedPost, MALFORMED_TARGET, rawExchange } from '../helpers/raw-http.js';

describe('Integration: local API Gateway stand-in', () => {
  it('answers 429 past the configured stage rate, like the deployed stage', async () => {
    const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    const server = await startApiServer({
      issuer,
      port: 0,
      opsHandler: async () => ({ statusCode: 200, body: '{}' }),
      throttle: { stage: { rateLimit: 1, burstLimit: 2 } },
      handler: async () => ({ statusCode: 200, body: '{}' }),
    });
    const tokens = await Promise.all(
      ['a', 'b', 'c', 'd'].map((sub) => issuer.sign({ sub, 'custom:role': 'leadership' }, 60)),
    );
    const statuses: number[] = [];
    for (const token of tokens) {
      const res = await fetch(`${server.url}/openapi.json`, {
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(res.status);
    }
    await server.close();
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('limits each caller on its own: one caller past its limit leaves another its share', async () => {
    const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    const server = await startApiServer({
      issuer,
      port: 0,
      opsHandler: async () => ({ statusCode: 200, body: '{}' }),
      throttle: { perCaller: { rateLimit: 1, burstLimit: 3 } },
      handler: async () => ({ statusCode: 200, body: '{}' }),
    });
    const greedy = await issuer.sign({ sub: 'greedy', 'custom:role': 'leadership' }, 60);
    const other = await issuer.sign({ sub: 'other', 'custom:role': 'leadership' }, 60);
    const get = async (token: string) =>
      (
        await fetch(`${server.url}/v1/impact?from=2026-01-01&to=2026-01-02`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status;
    const greedyStatuses: number[] = [];
    for (let i = 0; i < 6; i++) greedyStatuses.push(await get(greedy));
    const otherStatus = await get(other);
    await server.close();
    expect(greedyStatuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(greedyStatuses.slice(3)).toContain(429);
    expect(otherStatus).toBe(200);
  });

  it('does not let 300 requests without a token make a leadership request 429', async () => {
    // Prepare: the deployed numbers (stage 50/s burst 100).
    const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    const server = await startApiServer({
      issuer,
      port: 0,
      opsHandler: async () => ({ statusCode: 200, body: '{}' }),
      handler: async () => ({ statusCode: 200, body: '{}' }),
    });
    const leadership = await issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 60);
    const forged = `${leadership.slice(0, -4)}AAAA`;

    // Act: 300 requests with no token or a forged one, to API routes and public ones, 50 at a
    // time (as fast as a flood comes), then at once a leadership dashboard's requests.
    const anonymous: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const i = batch * 50 + j;
          const path = i % 3 === 0 ? '/openapi.json' : '/v1/impact?from=2026-01-01&to=2026-01-02';
          const headers: Record<string, string> =
            i % 2 === 0 ? {} : { authorization: `Bearer ${forged}` };
          const res = await fetch(`${server.url}${path}`, { headers });
          await res.body?.cancel();
          return res.status;
        }),
      );
      anonymous.push(...statuses);
    }
    // A dashboard load: a few requests at once.
    const lead = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const res = await fetch(`${server.url}/v1/impact?from=2026-01-01&to=2026-01-02`, {
          headers: { authorization: `Bearer ${leadership}` },
        });
        await res.body?.cancel();
        return res.status;
      }),
    );
    await server.close();

    // Assess: the anonymous traffic was throttled on its own bucket, leadership was not.
    expect(anonymous).toContain(429);
    expect(lead).toEqual([200, 200, 200, 200, 200]);
  });

  it('hands verified claims to the handler and refuses forged tokens with 401', async () => {
    const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    const other = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    let seen: unknown;
    const server = await startApiServer({
      issuer,
      port: 0,
      opsHandler: async () => ({ statusCode: 200, body: '{}' }),
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

/** A reader that must never be reached: requests in these tests are refused before it. */
const unreachableReader = new Proxy({} as ImpactReader, {
  get: () => async () => {
    throw new Error('the reader was called');
  },
});

async function realHandlerServer(site?: { dir: string; config: unknown }) {
  const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
  const impact = createImpactApiHandler(unreachableReader, 'USD', silentLogger);
  const server = await startApiServer({
    issuer,
    port: 0,
    opsHandler: async () => ({ statusCode: 200, body: '{}' }),
    handler: ((event, context) => impact(event, context as never)) as ApiHandler,
    ...(site !== undefined && { site }),
  });
  const token = await issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 60);
  return { server, token };
}

describe('Integration: the gateway stand-in under hostile requests', () => {
  it('survives `GET http://[` while serving the dashboard, an aborted body and garbage, and keeps serving', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'site-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ok</title>');
    const { server, token } = await realHandlerServer({ dir, config: { auth: { kind: 'dev' } } });

    // Act
    const malformed = await rawExchange(server.url, MALFORMED_TARGET);
    const aborted = await rawExchange(server.url, abortedPost('/v1/impact'), { abort: true });
    const authedAbort = await rawExchange(
      server.url,
      abortedPost('/v1/impact').replace('Host:', `Authorization: Bearer ${token}\r\nHost:`),
      { abort: true },
    );
    const garbage = await rawExchange(server.url, '\u0000\u0001 nonsense\r\n\r\n');
    const page = await fetch(`${server.url}/`);
    const docs = await fetch(`${server.url}/openapi.json`);
    await server.close();

    // Assess
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(malformed).toContain('{"message":"Bad Request"}');
    expect(malformed).toMatch(/apigw-requestid: /i);
    expect([aborted, authedAbort]).toEqual(['', '']);
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(page.status).toBe(200);
    expect(docs.status).toBe(200);
  });

  it('answers a GET with a 100 KB body 413, as API Gateway answers what it refuses', async () => {
    const { server, token } = await realHandlerServer();
    // fetch refuses a GET with a body; node:http sends one.
    const res = await new Promise<{ status: number; body: string; gatewayId: unknown }>(
      (resolve, reject) => {
        const req = request(
          `${server.url}/v1/impact?from=2026-01-01&to=2026-01-02`,
          {
            method: 'GET',
            headers: { authorization: `Bearer ${token}`, 'content-length': 100 * 1024 },
          },
          (response) => {
            let body = '';
            response.on('data', (c: Buffer) => {
              body += c.toString();
            });
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                body,
                gatewayId: response.headers['apigw-requestid'],
              }),
            );
          },
        );
        req.on('error', reject);
        req.end('x'.repeat(100 * 1024));
      },
    );
    const after = await fetch(`${server.url}/openapi.json`);
    await server.close();
    expect(res).toMatchObject({ status: 413 });
    expect(res.body).toBe('{"message":"Request Entity Too Large"}');
    expect(res.gatewayId).toBeTruthy();
    expect(after.status).toBe(200);
  });

  it('refuses `__proto__` like any unknown query parameter (400, named)', async () => {
    const { server, token } = await realHandlerServer();
    const res = await fetch(`${server.url}/v1/impact?from=2026-01-01&to=2026-01-02&__proto__=x`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const problem = (await res.json()) as { errors: { name: string; reason: string }[] };
    await server.close();
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(problem.errors).toEqual([{ name: '__proto__', reason: 'unknown parameter' }]);
  });

  it("answers its own refusals as API Gateway does, and the handler's answers with both ids equal", async () => {
    // Prepare
    const issuer = await openDevIssuer(mkdtempSync(join(tmpdir(), 'issuer-')));
    const impact = createImpactApiHandler(unreachableReader, 'USD', silentLogger);
    const server = await startApiServer({
      issuer,
      port: 0,
      opsHandler: async () => ({ statusCode: 200, body: '{}' }),
      throttle: { unauthenticated: { rateLimit: 0.001, burstLimit: 2 } },
      handler: ((event, context) => impact(event, context as never)) as ApiHandler,
    });

    // Act: no route (404), no token (401), then the source's bucket is empty (429); and a
    // handler answer (400 problem) for a caller with a token.
    const notFound = await fetch(`${server.url}/v1/nowhere`);
    const unauthorized = await fetch(`${server.url}/v1/impact?from=2026-01-01&to=2026-01-02`);
    const throttled = await fetch(`${server.url}/v1/impact?from=2026-01-01&to=2026-01-02`);
    const token = await issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 60);
    const handled = await fetch(`${server.url}/v1/impact?from=2026-01-01`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const answers = await Promise.all(
      [notFound, unauthorized, throttled].map(async (r) => ({
        status: r.status,
        type: r.headers.get('content-type'),
        body: await r.text(),
        gatewayId: r.headers.get('apigw-requestid') !== null,
        requestId: r.headers.get('x-request-id'),
      })),
    );
    const problem = (await handled.json()) as { requestId: string };
    await server.close();

    // Assess
    expect(answers).toEqual([
      {
        status: 404,
        type: 'application/json',
        body: '{"message":"Not Found"}',
        gatewayId: true,
        requestId: null,
      },
      {
        status: 401,
        type: 'application/json',
        body: '{"message":"Unauthorized"}',
        gatewayId: true,
        requestId: null,
      },
      {
        status: 429,
        type: 'application/json',
        body: '{"message":"Too Many Requests"}',
        gatewayId: true,
        requestId: null,
      },
    ]);
    expect(unauthorized.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(handled.status).toBe(400);
    expect(handled.headers.get('content-type')).toBe('application/problem+json');
    expect(handled.headers.get('x-request-id')).toBe(problem.requestId);
    expect(handled.headers.get('apigw-requestid')).toBe(problem.requestId);
  });
});
