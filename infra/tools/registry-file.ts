import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { UtcInstant } from '#contract';
import { DeviceInfo, MAX_KEYS_PER_DEVICE, SigningKey, StoreInfo } from '#domain/registry-types';
import { rawPublicKey } from '#wire';

/**
 * A device's key as `npm run register`'s file gives it: the registry's form (`publicKey`, 32
 * raw bytes in base64url), or a file beside the fleet file holding the public key (PEM,
 * `openssl pkey -pubout`) or a certificate (PEM) whose key it is. Ed25519 only.
 */
const FileKey = z
  .object({
    keyId: SigningKey.shape.keyId,
    publicKey: SigningKey.shape.publicKey.optional(),
    publicKeyFile: z.string().min(1).optional(),
    certificateFile: z.string().min(1).optional(),
    validFrom: UtcInstant,
    validUntil: UtcInstant.optional(),
  })
  .strict()
  .refine(
    (k) =>
      [k.publicKey, k.publicKeyFile, k.certificateFile].filter((x) => x !== undefined).length === 1,
    { message: 'give exactly one of publicKey, publicKeyFile, certificateFile' },
  );

/** A device as the registry holds it, its keys as the file gives them. */
const fileKeys = { keys: z.array(FileKey).max(MAX_KEYS_PER_DEVICE).optional() };
// One per kind of DeviceInfo, each with its keys as the file gives them.
const [panel, agent, gateway] = DeviceInfo.options;
const FileDevice = z.discriminatedUnion('kind', [
  panel.extend(fileKeys),
  agent.extend(fileKeys),
  gateway.extend(fileKeys),
]);

export const FleetFile = z
  .object({ stores: z.array(StoreInfo).default([]), devices: z.array(FileDevice).default([]) })
  .strict();

/** The public key of a key file entry, as the registry keeps it; throws naming the file. */
function publicKeyOf(key: z.infer<typeof FileKey>, dir: string): string {
  if (key.publicKey !== undefined) return key.publicKey;
  const file = resolve(dir, (key.publicKeyFile ?? key.certificateFile) as string);
  const pem = readFileSync(file, 'utf8');
  try {
    return key.certificateFile !== undefined
      ? rawPublicKey(new X509Certificate(pem).publicKey)
      : rawPublicKey(pem);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/**
 * A fleet file's stores and devices as registry entries: each device's key files read and
 * turned into the registry's form, every entry checked as the registry's schema.
 */
export function readFleetFile(file: string): {
  stores: StoreInfo[];
  devices: DeviceInfo[];
} {
  const parsed = FleetFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  }
  const dir = dirname(resolve(file));
  const devices = parsed.data.devices.map(({ keys, ...d }) =>
    DeviceInfo.parse({
      ...d,
      ...(keys !== undefined && {
        keys: keys.map((k) => ({
          keyId: k.keyId,
          publicKey: publicKeyOf(k, dir),
          validFrom: k.validFrom,
          ...(k.validUntil !== undefined && { validUntil: k.validUntil }),
        })),
      }),
    }),
  );
  return { stores: parsed.data.stores, devices };
}
