import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iotCredentialsProvider } from '../../edge-client/src/credentials/iot-credentials-provider.js';
import { CredentialsError } from '../../edge-client/src/errors/index.js';
import { makeTestPki } from '../helpers/test-pki.js';

let server: Server;
let endpoint: string;
let lifetimeMs = 3_600_000;
let pem: (name: string) => Buffer;
let key: (name: string) => Buffer;

beforeAll(async () => {
  ({ pem, key } = makeTestPki());
  // A stand-in for the IoT credentials provider: mutual TLS against the device CA, the role
  // alias in the path, the thing name in a header matching the certificate.
  server = createServer(
    {
      cert: pem('server'),
      key: key('server'),
      ca: pem('ca'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      if (req.url === '/role-aliases/incomplete-role-alias/credentials') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"credentials":{}}');
        return;
      }
      if (
        req.url !== '/role-aliases/device-role-alias/credentials' ||
        req.headers['x-amzn-iot-thingname'] !== peer.subject.CN
      ) {
        res.writeHead(403).end('{"message":"Access Denied"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          credentials: {
            accessKeyId: 'ASIATEST',
            secretAccessKey: 'test-secret',
            sessionToken: `token-${Date.now()}`,
            expiration: new Date(Date.now() + lifetimeMs).toISOString(),
          },
        }),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = (overrides: Partial<Parameters<typeof iotCredentialsProvider>[0]> = {}) => ({
  endpoint,
  roleAlias: 'device-role-alias',
  thingName: 'panel-store-0001-lane-01',
  cert: pem('device'),
  key: key('device'),
  ca: pem('ca'),
  ...overrides,
});

describe('Integration: IoT credentials provider over mutual TLS', () => {
  it('trades the device certificate for temporary credentials, and caches them', async () => {
    lifetimeMs = 3_600_000;
    const provider = iotCredentialsProvider(options());
    const [a, b] = await Promise.all([provider(), provider()]);
    const c = await provider();
    expect(a).toMatchObject({ accessKeyId: 'ASIATEST', secretAccessKey: 'test-secret' });
    expect(a?.sessionToken).toBe(c.sessionToken);
    expect(b).toBe(a);
    expect(provider.fetches).toBe(1);
  });

  it('fetches new credentials shortly before the current ones expire', async () => {
    lifetimeMs = 60_000; // inside the 5-minute refresh margin
    const provider = iotCredentialsProvider(options());
    await provider();
    await provider();
    expect(provider.fetches).toBe(2);
  });

  it('is refused with a certificate from another CA, or for another thing name', async () => {
    const rogue = iotCredentialsProvider(options({ cert: pem('rogue'), key: key('rogue') }));
    await expect(rogue()).rejects.toBeInstanceOf(CredentialsError);
    const impostor = iotCredentialsProvider(options({ thingName: 'panel-store-0002-lane-01' }));
    await expect(impostor()).rejects.toMatchObject({ name: 'CredentialsError', statusCode: 403 });
  });

  it('refuses an answer without complete credentials, naming the provider', async () => {
    const provider = iotCredentialsProvider(options({ roleAlias: 'incomplete-role-alias' }));
    await expect(provider()).rejects.toMatchObject({
      name: 'CredentialsError',
      message: 'unreadable answer from the IoT credentials provider',
      statusCode: 200,
    });
  });

  it('says the provider is unreachable when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = iotCredentialsProvider(options({ endpoint: `https://127.0.0.1:${port}` }));
    await expect(provider()).rejects.toMatchObject({
      name: 'CredentialsError',
      message: expect.stringMatching(/^IoT credentials provider unreachable: /),
      statusCode: undefined,
    });
  });
});
