import { request } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CredentialsError } from '../errors/credentials-error.js';

export interface IotCredentialsOptions {
  /** The account's IoT credentials endpoint host (`aws iot describe-endpoint --endpoint-type iot:CredentialProvider`), or an https URL. */
  readonly endpoint: string;
  /** The stack's DeviceRoleAlias output. */
  readonly roleAlias: string;
  /** This PC's IoT thing name. */
  readonly thingName: string;
  /** The device certificate and its private key (PEM). */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA to trust for the endpoint; default the system's (Amazon's CA). */
  readonly ca?: string | Buffer;
  /** Fetch new credentials this long before the current ones expire. @default 300000 */
  readonly refreshBeforeMs?: number;
  /** @default 5000 */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

interface ProviderResponse {
  credentials?: {
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
    expiration?: string;
  };
}

/**
 * AWS credentials for a panel PC without long-lived keys: the device's X.509 certificate is
 * presented (mutual TLS) to the AWS IoT credentials provider, which answers with temporary
 * credentials of the role behind the role alias. They are cached and fetched again shortly
 * before they expire; concurrent callers share one request. Plug it into the Kinesis client
 * as `credentials`.
 */
export function iotCredentialsProvider(
  options: IotCredentialsOptions,
): AwsCredentialIdentityProvider & { readonly fetches: number } {
  const now = options.now ?? Date.now;
  const refreshBefore = options.refreshBeforeMs ?? 300_000;
  const base = providerUrl(options.endpoint);
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;
  let fetches = 0;

  const fetchCredentials = () => {
    fetches++;
    return requestCredentials(base, options);
  };
  const provider = async (): Promise<AwsCredentialIdentity> => {
    if (cached?.expiration !== undefined && cached.expiration.getTime() - now() > refreshBefore)
      return cached;
    inFlight ??= fetchCredentials().finally(() => {
      inFlight = undefined;
    });
    cached = await inFlight;
    return cached;
  };
  return Object.defineProperty(provider, 'fetches', {
    get: () => fetches,
  }) as AwsCredentialIdentityProvider & { readonly fetches: number };
}

/** The endpoint as a URL: a bare host means https on 443. */
function providerUrl(endpoint: string): URL {
  return new URL(/^https:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`);
}

/**
 * One mutual-TLS GET of the role alias's credentials; every failure (unreachable, timed out,
 * refused, unreadable) rejects with a CredentialsError.
 */
function requestCredentials(
  base: URL,
  options: IotCredentialsOptions,
): Promise<AwsCredentialIdentity> {
  return new Promise<AwsCredentialIdentity>((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port === '' ? 443 : Number(base.port),
        path: `/role-aliases/${encodeURIComponent(options.roleAlias)}/credentials`,
        method: 'GET',
        headers: { 'x-amzn-iot-thingname': options.thingName },
        cert: options.cert,
        key: options.key,
        ...(options.ca !== undefined && { ca: options.ca }),
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(credentialsFromAnswer(res.statusCode, Buffer.concat(chunks)));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) =>
      reject(
        new CredentialsError(`IoT credentials provider unreachable: ${error.message}`, undefined, {
          cause: error,
        }),
      ),
    );
    req.end();
  });
}

/** The provider's answer as credentials, or a CredentialsError saying what was wrong with it. */
function credentialsFromAnswer(
  statusCode: number | undefined,
  body: Buffer,
): AwsCredentialIdentity {
  if (statusCode !== 200) {
    throw new CredentialsError(`IoT credentials provider answered ${statusCode}`, statusCode);
  }
  try {
    const c = (JSON.parse(body.toString('utf8')) as ProviderResponse).credentials;
    if (
      c?.accessKeyId === undefined ||
      c.secretAccessKey === undefined ||
      c.sessionToken === undefined ||
      c.expiration === undefined
    ) {
      throw new Error('incomplete credentials');
    }
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
      expiration: new Date(c.expiration),
    };
  } catch (error) {
    throw new CredentialsError('unreadable answer from the IoT credentials provider', 200, {
      cause: error,
    });
  }
}
