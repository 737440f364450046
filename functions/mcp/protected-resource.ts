import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';

/** The MCP endpoint's path, on the API's own origin. */
export const MCP_PATH = '/mcp';

/**
 * Where RFC 9728 metadata is served: the path-suffixed form (`/.well-known/...` + the
 * resource's path, which MCP clients probe first) and the root form they fall back to. Both
 * are public: a client reads them before it has a token.
 */
export const PROTECTED_RESOURCE_PATHS = [
  `/.well-known/oauth-protected-resource${MCP_PATH}`,
  '/.well-known/oauth-protected-resource',
] as const;

/**
 * The protected-resource metadata of the MCP endpoint at `resource`: the authorization server
 * that issues its tokens (the Cognito user pool's issuer in AWS, the dev issuer locally), and
 * that a token goes in the Authorization header only. No `scopes_supported`: what a caller may
 * see comes from its token's custom role and scope claims, not from OAuth scopes.
 */
export function protectedResourceMetadata(
  resource: string,
  authorizationServer: string,
): OAuthProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [authorizationServer],
    bearer_methods_supported: ['header'],
    resource_name: 'Store-floor impact MCP server',
  };
}

/** The metadata's URL for `resource` (RFC 9728 section 3.1: the well-known prefix, then its path). */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

/** The challenge of a 401 from the MCP endpoint: where the client finds how to get a token. */
export const bearerChallenge = (resource: string) =>
  `Bearer resource_metadata="${protectedResourceMetadataUrl(resource)}"`;
