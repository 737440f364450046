import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

/**
 * The embedded stack's stand-in for the Cognito user pool: an ES256 key pair kept in the data
 * folder (created on first use, readable only by its owner), tokens signed with it, and the
 * verification API Gateway's JWT authorizer would do (signature, issuer, audience, expiry).
 */
export const DEV_ISSUER = 'https://dev-issuer.store-floor-impact.local';
export const DEV_AUDIENCE = 'impact-api';
const ALG = 'ES256';

export interface DevIssuer {
  sign(claims: JWTPayload, ttlSeconds: number): Promise<string>;
  /** Verified claims, or undefined for a missing, forged, expired or foreign token. */
  verify(token: string): Promise<JWTPayload | undefined>;
}

async function loadOrCreateKey(dir: string): Promise<JWK> {
  const file = join(dir, 'signing-key.jwk.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  try {
    // 'wx': if another process created the key meanwhile, use theirs.
    writeFileSync(file, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
    return jwk;
  } catch {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  }
}

export async function openDevIssuer(dataDir: string): Promise<DevIssuer> {
  const jwk = await loadOrCreateKey(join(dataDir, 'dev-issuer'));
  const privateKey = await importJWK(jwk, ALG);
  const { d: _private, ...publicJwk } = jwk;
  const publicKey = await importJWK(publicJwk, ALG);
  return {
    sign: (claims, ttlSeconds) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: ALG })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey),
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer: DEV_ISSUER,
          audience: DEV_AUDIENCE,
          algorithms: [ALG],
        });
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}
