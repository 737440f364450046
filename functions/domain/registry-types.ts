import * as z from 'zod';
import { Identifier } from '#contract';
import { isValidTimeZone } from './calendar.js';

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
  })
  .strict();
export type StoreInfo = z.infer<typeof StoreInfo>;

export const DeviceInfo = z.discriminatedUnion('kind', [
  z.object({ deviceId: Identifier, kind: z.literal('panel'), storeId: Identifier }).strict(),
  z.object({ deviceId: Identifier, kind: z.literal('agent'), teamId: Identifier }).strict(),
]);
export type DeviceInfo = z.infer<typeof DeviceInfo>;

/** Lookups the processor needs for one batch. */
export interface RegistryView {
  device(deviceId: string): DeviceInfo | undefined;
  store(storeId: string): StoreInfo | undefined;
}
