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
  const base = new URL(
    /^https:\/\//.test(options.endpoint) ? options.endpoint : `https://${options.endpoint}`,
  );
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;
  let fetches = 0;

  const fetchCredentials = () =>
    new Promise<AwsCredentialIdentity>((resolve, reject) => {
      fetches++;
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
            if (res.statusCode !== 200) {
              reject(
                new CredentialsError(
                  `IoT credentials provider answered ${res.statusCode}`,
                  res.statusCode,
                ),
              );
              return;
            }
            try {
              const c = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProviderResponse)
                .credentials;
              if (
                c?.accessKeyId === undefined ||
                c.secretAccessKey === undefined ||
                c.sessionToken === undefined ||
                c.expiration === undefined
              ) {
                throw new Error('incomplete credentials');
              }
              resolve({
                accessKeyId: c.accessKeyId,
                secretAccessKey: c.secretAccessKey,
                sessionToken: c.sessionToken,
                expiration: new Date(c.expiration),
              });
            } catch (error) {
              reject(
                new CredentialsError('unreadable answer from the IoT credentials provider', 200, {
                  cause: error,
                }),
              );
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) =>
        reject(
          new CredentialsError(
            `IoT credentials provider unreachable: ${error.message}`,
            undefined,
            { cause: error },
          ),
        ),
      );
      req.end();
    });

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
