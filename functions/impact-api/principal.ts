import * as z from 'zod';
import { Identifier } from '#contract';

/** The roles of people who read figures (the dashboard's, and their assistants'). */
export const ROLES = ['leadership', 'region_manager', 'store_manager'] as const;

/**
 * The role of an on-call automation: it reports the incidents it closed, as its registered
 * agent device, and reads no figures.
 */
export const AUTOMATION_ROLE = 'automation';

const idList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  )
  .pipe(z.array(Identifier).max(500));

const PersonClaims = z.object({
  sub: z.string().min(1),
  'custom:role': z.enum(ROLES),
  'custom:stores': idList.optional(),
  'custom:regions': idList.optional(),
});

const AutomationClaims = z.object({
  sub: z.string().min(1),
  'custom:role': z.literal(AUTOMATION_ROLE),
  /** The automation's registered agent device: what its reports are sent as. */
  'custom:device': Identifier,
});

/**
 * The claims a token must carry (Cognito custom attributes in AWS, the same names from the
 * local dev issuer). Scope and identity come only from here, never from request parameters.
 * This is the one claims check: the impact API and the MCP endpoint both use `principalFrom`.
 */
export const Claims = z.discriminatedUnion('custom:role', [PersonClaims, AutomationClaims]);

/** A person who reads figures, with the scope their role grants. */
export type PersonPrincipal =
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

/** An on-call automation, bound to the agent device it reports as. */
export interface AutomationPrincipal {
  readonly subject: string;
  readonly role: typeof AUTOMATION_ROLE;
  readonly device: string;
}

export type Principal = PersonPrincipal | AutomationPrincipal;

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
    case AUTOMATION_ROLE:
      return { subject: c.sub, role: AUTOMATION_ROLE, device: c['custom:device'] };
  }
}

export const isPerson = (principal: Principal): principal is PersonPrincipal =>
  principal.role !== AUTOMATION_ROLE;
