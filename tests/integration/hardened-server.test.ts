import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHardenedServer,
  type HardenedHandler,
  type HardenedServerOptions,
  HttpRequestError,
  readBody,
} from '#edge-client';
import { rawExchange } from '../helpers/raw-http.js';

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s !== undefined) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function start(
  handler: HardenedHandler,
  options: Partial<HardenedServerOptions> = {},
): Promise<{ url: string; logs: string[] }> {
  const logs: string[] = [];
  server = createHardenedServer(handler, {
    service: 'test',
    log: (line) => logs.push(line),
    ...options,
  });
  const s = server;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, logs };
}

const echo: HardenedHandler = async (req, res) => {
  const body = await readBody(req, { limit: 1_000, discardLimit: 10_000 });
  res.end(`got ${body.byteLength}`);
};

describe('Function: createHardenedServer', () => {
  it('answers a thrown error, a rejection and a refusal, logging each once without headers', async () => {
    // Prepare
    const { url, logs } = await start((req) => {
      if (req.url === '/sync') throw new Error('sync boom');
      if (req.url === '/refused') throw new HttpRequestError(422, 'Nope', 'not this');
      return Promise.reject(new TypeError('async boom'));
    });
    const secret = { authorization: 'Bearer secret-token-value' };

    // Act
    const sync = await fetch(`${url}/sync`, { headers: secret });
    const rejected = await fetch(`${url}/async?cursor=secret-cursor`, { headers: secret });
    const refused = await fetch(`${url}/refused`, { headers: secret });

    // Assess
    expect([sync.status, rejected.status, refused.status]).toEqual([500, 500, 422]);
    expect(sync.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toEqual({
      type: 'about:blank',
      title: 'Nope',
      status: 422,
      detail: 'not this',
    });
    expect(await sync.json()).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
    });
    expect(logs).toHaveLength(3);
    expect(logs.join('\n')).not.toMatch(/secret/);
    expect(JSON.parse(logs[0] as string)).toMatchObject({
      level: 'ERROR',
      service: 'test',
      path: '/sync',
      status: 500,
      error: 'Error: sync boom',
    });
  });

  it('answers a body over the limit 413 naming the limit, and one declared past the discard limit at once', async () => {
    // Prepare
    const { url } = await start(echo);

    // Act: 5,000 bytes (read and dropped), then a Content-Length of 1 GB with no body sent.
    const over = await fetch(`${url}/`, { method: 'POST', body: 'x'.repeat(5_000) });
    const declared = await rawExchange(
      url,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n',
    );
    const fine = await fetch(`${url}/`, { method: 'POST', body: 'x'.repeat(1_000) });

    // Assess
    expect(over.status).toBe(413);
    expect(((await over.json()) as { detail: string }).detail).toBe(
      'body of 5000 bytes, over the 1000-byte limit',
    );
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    expect(declared).toMatch(/connection: close/i);
    expect(declared).toContain('over the 1000-byte limit');
    expect(await fine.text()).toBe('got 1000');
  });

  it('closes a client that aborts mid-body, logging it once, and keeps serving', async () => {
    // Prepare
    const { url, logs } = await start(echo);

    // Act
    const aborted = await rawExchange(
      url,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n12345678',
      { abort: true },
    );
    const after = await fetch(`${url}/`, { method: 'POST', body: 'ok' });

    // Assess
    expect(aborted).toBe('');
    expect(await after.text()).toBe('got 2');
    await expect.poll(() => logs.length).toBe(1);
    expect(JSON.parse(logs[0] as string)).toMatchObject({ message: 'request aborted' });
  });

  it('survives a chunked body past the discard limit that the handler lets through, and keeps serving', async () => {
    // Prepare: the handler lets readBody's 413 reach the server (as the local API's does).
    const { url, logs } = await start(echo);
    const chunk = 'x'.repeat(4_000);
    const chunked = `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${`fa0\r\n${chunk}\r\n`.repeat(5)}0\r\n\r\n`;

    // Act: 20,000 bytes, no Content-Length, past the 10,000-byte discard limit.
    const refused = await rawExchange(url, chunked);
    const after = await fetch(`${url}/`, { method: 'POST', body: 'ok' });

    // Assess: a 413 or a closed socket, one log line, and the server still answers.
    expect(refused === '' || /^HTTP\/1\.1 413 /.test(refused)).toBe(true);
    expect(await after.text()).toBe('got 2');
    await expect.poll(() => logs.length).toBe(1);
  });

  it('answers malformed HTTP 400 and oversized headers 431', async () => {
    const { url } = await start(echo);
    const garbage = await rawExchange(url, 'HELLO\r\n\r\n');
    const huge = await rawExchange(url, `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(garbage).toContain('"status":400');
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('answers 408 and closes a client whose headers or body never finish', async () => {
    // Prepare
    const { url } = await start(echo, { headersTimeoutMs: 200, requestTimeoutMs: 400 });

    // Act: each exchange resolves only when the server closes the connection.
    const slowHeaders = await rawExchange(url, 'GET / HTTP/1.1\r\nHost: x\r\n');
    const slowBody = await rawExchange(
      url,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc',
    );

    // Assess
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408 /);
    expect(slowBody).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses connections past maxConnections, and serves again once they close', async () => {
    // Prepare: two connections held open with half a request each.
    const { url } = await start(echo, { maxConnections: 2 });
    const { hostname, port } = new URL(url);
    const { connect } = await import('node:net');
    const held = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<import('node:net').Socket>((resolve) => {
            const socket = connect({ host: hostname, port: Number(port) }, () => {
              socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
              resolve(socket);
            });
            socket.on('error', () => undefined);
          }),
      ),
    );
    // The server counts a connection once it has accepted it.
    await expect
      .poll(
        () =>
          new Promise<number>((resolve) => server?.getConnections((_, count) => resolve(count))),
      )
      .toBe(2);

    // Act
    const third = await rawExchange(url, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    for (const socket of held) socket.destroy();
    await expect
      .poll(
        () =>
          new Promise<number>((resolve) => server?.getConnections((_, count) => resolve(count))),
      )
      .toBe(0);
    const after = await fetch(`${url}/`, { method: 'POST', body: 'ok' });

    // Assess
    expect(third).toBe('');
    expect(await after.text()).toBe('got 2');
  });
});
