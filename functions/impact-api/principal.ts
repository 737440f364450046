import * as z from 'zod';
import { Identifier } from '../../edge-client/src/contract/index.js';

export const ROLES = ['leadership', 'region_manager', 'store_manager'] as const;

const idList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  )
  .pipe(z.array(Identifier).max(500));

/**
 * The claims a token must carry (Cognito custom attributes in AWS, the same names from the
 * local dev issuer). Scope comes only from here, never from request parameters.
 */
export const Claims = z.object({
  sub: z.string().min(1),
  'custom:role': z.enum(ROLES),
  'custom:stores': idList.optional(),
  'custom:regions': idList.optional(),
});

export type Principal =
  | { readonly subject: string; readonly role: 'leadership' }
  | {
      readonly subject: string;
      readonly role: 'region_manager';
      readonly regions: readonly string[];
    }
  | {
      readonly subject: string;
      readonly role: 'store_manager';
      readonly stores: readonly string[];
    };

/** Turns verified JWT claims into a principal; undefined when they do not grant any role. */
export function principalFrom(claims: unknown): Principal | undefined {
  const parsed = Claims.safeParse(claims);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  switch (c['custom:role']) {
    case 'leadership':
      return { subject: c.sub, role: 'leadership' };
    case 'region_manager':
      return { subject: c.sub, role: 'region_manager', regions: c['custom:regions'] ?? [] };
    case 'store_manager':
      return { subject: c.sub, role: 'store_manager', stores: c['custom:stores'] ?? [] };
  }
}
