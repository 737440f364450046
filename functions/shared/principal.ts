import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { Identifier } from '#contract';

/** The roles of people who read figures (the dashboard's, and their assistants'). */
export const ROLES = ['leadership', 'region_manager', 'store_manager'] as const;

/**
 * The role of an on-call automation: it reports the incidents it closed, as its registered
 * agent device, and reads no figures.
 */
export const AUTOMATION_ROLE = 'automation';

/**
 * The role of the people who run the pipeline: they read the ops routes (`/v1/ops/*`: dead
 * letters) and nothing else. The role grants no shrink or hours figures: an operator who also
 * needs those holds a second, reader, account. Every other role is refused the ops routes.
 */
export const OPERATOR_ROLE = 'operator';

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

const OperatorClaims = z.object({
  sub: z.string().min(1),
  'custom:role': z.literal(OPERATOR_ROLE),
});

/**
 * The claims a token must carry (Cognito custom attributes in AWS, the same names from the
 * local dev issuer). Scope and identity come only from here, never from request parameters.
 * This is the one claims check: the impact API, the ops API and the MCP endpoint all use
 * `principalFrom`.
 */
export const Claims = z.discriminatedUnion('custom:role', [
  PersonClaims,
  AutomationClaims,
  OperatorClaims,
]);

/** A person who reads figures, with the scope their role grants (`isReader`). */
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

/** A person who runs the pipeline: reads the ops routes, no figures. */
export interface OperatorPrincipal {
  readonly subject: string;
  readonly role: typeof OPERATOR_ROLE;
}

export type Principal = PersonPrincipal | AutomationPrincipal | OperatorPrincipal;

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
    case OPERATOR_ROLE:
      return { subject: c.sub, role: OPERATOR_ROLE };
  }
}

/** A reader of figures (leadership, region or store manager): what the impact API answers. */
export const isReader = (principal: Principal): principal is PersonPrincipal =>
  (ROLES as readonly string[]).includes(principal.role);

export const isOperator = (principal: Principal): principal is OperatorPrincipal =>
  principal.role === OPERATOR_ROLE;

/** The JWT claims API Gateway's authorizer verified (absent if the route had no authorizer). */
export function verifiedClaims(event: APIGatewayProxyEventV2): unknown {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: unknown } } };
  return context.authorizer?.jwt?.claims;
}
