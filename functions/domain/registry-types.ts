import * as z from 'zod';
import { Identifier, UtcInstant } from '#contract';
import { isValidTimeZone } from './calendar.js';
import { HHMM } from './open-hours.js';

/**
 * The device registry: which panel PC belongs to which store, which automation agent reports
 * for which team, and each store's region and time zone. IAM lets any provisioned device put
 * records; only this binding stops a compromised panel PC from reporting for another store.
 */
export const StoreInfo = z
  .object({
    storeId: Identifier,
    region: Identifier,
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone'),
    /**
     * Test data (`npm run smoke` registers such a store): its store days count as usual, so
     * its own figures can be checked, but no region or organisation rollup includes them, so
     * what leadership reads (`/v1/impact`, a region's figures, the leaderboard) never does.
     * Decided by a store day's first write and kept with it (`SummaryState.test`).
     * @default false
     */
    test: z.boolean().optional(),
    /**
     * Lanes the store has: the denominator of its coverage ("38 of 40 lanes reporting").
     * Without it, a store's coverage counts the lanes that have reported at least once.
     */
    lanes: z.number().int().min(1).max(1_000).optional(),
    /**
     * When the store is open, in its own time zone, every day: a silence outside these hours
     * is no gap, and the silent-store alarm watches only these hours. `closes` before `opens`
     * is an overnight store; `24:00` closes at midnight. Absent: open around the clock.
     */
    openHours: z
      .object({
        opens: z.string().regex(HHMM, 'must be HH:MM'),
        closes: z.string().regex(HHMM, 'must be HH:MM (or 24:00)'),
      })
      .strict()
      .refine((h) => h.opens !== h.closes && h.opens !== '24:00', {
        message: 'opens and closes must differ, and a store cannot open at 24:00',
      })
      .optional(),
  })
  .strict();
export type StoreInfo = z.infer<typeof StoreInfo>;

/**
 * A key a device signs its records with (signature-check.ts): an Ed25519 public key, its 32
 * raw bytes in base64url, valid from `validFrom` until `validUntil` (exclusive; absent: until
 * further notice). Rotation is a second key whose window starts before the first one's ends;
 * revocation is a `validUntil` at the time the key was lost.
 */
export const SigningKey = z
  .object({
    keyId: Identifier,
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url'),
    validFrom: UtcInstant,
    validUntil: UtcInstant.optional(),
  })
  .strict();
export type SigningKey = z.infer<typeof SigningKey>;

/** At most this many keys per device: a rotation needs two; the rest is history. */
export const MAX_KEYS_PER_DEVICE = 8;
const keys = z
  .array(SigningKey)
  .max(MAX_KEYS_PER_DEVICE)
  // A key id names one key: a second key under the same id would never be tried.
  .refine((ks) => new Set(ks.map((k) => k.keyId)).size === ks.length, {
    message: 'each key of a device needs its own keyId',
  })
  .optional();

export const DeviceInfo = z.discriminatedUnion('kind', [
  z.object({ deviceId: Identifier, kind: z.literal('panel'), storeId: Identifier, keys }).strict(),
  z.object({ deviceId: Identifier, kind: z.literal('agent'), teamId: Identifier, keys }).strict(),
  /** A store gateway: signs the records that carry its store's lanes' events. */
  z
    .object({ deviceId: Identifier, kind: z.literal('gateway'), storeId: Identifier, keys })
    .strict(),
]);
export type DeviceInfo = z.infer<typeof DeviceInfo>;

/** Lookups the processor needs for one batch. */
export interface RegistryView {
  device(deviceId: string): DeviceInfo | undefined;
  store(storeId: string): StoreInfo | undefined;
}
