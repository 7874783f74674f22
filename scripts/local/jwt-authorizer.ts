import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import type { JwtAuthorizer } from './http-api';

/** Why a request was refused: 401 for a bad or missing token, 403 for a good token without the route's scope. */
export interface Denial {
  readonly status: 401 | 403;
  /** The `www-authenticate` header API Gateway sends. */
  readonly wwwAuthenticate: string;
}

export type Authorization =
  | { readonly ok: true; readonly claims: JWTPayload }
  | ({ readonly ok: false } & Denial);

/** RSA only, as API Gateway: it refuses HMAC and EC tokens. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/**
 * Checks tokens the way an HTTP API's JWT authorizer does
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): the token
 * from the identity source, with or without `Bearer `; its signature against the issuer's JWKS (`kid`
 * must name a key there); `iss`; `aud`, or `client_id` when there is no `aud`; `exp`, `nbf` and `iat`;
 * and at least one of the route's scopes in `scope` or `scp`. API Gateway reads no `token_use`: what keeps
 * ID tokens off a route is requiring a scope, which ID tokens never carry.
 */
export class JwtAuthorizers {
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  /** `jwksUrl` maps an issuer to where its keys are served (the emulator stands in for Cognito's host). */
  constructor(private readonly jwksUrl: (issuer: string) => URL) {}

  async authorize(
    authorizer: JwtAuthorizer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    scopes: readonly string[],
  ): Promise<Authorization> {
    const token = tokenFrom(authorizer.identitySource, headers);
    if (!token) return deny(401, 'invalid_token', 'the token is missing');
    // jose would take the JWKS's only key for a token without `kid`; API Gateway requires a matching kid.
    if (typeof protectedHeader(token)?.kid !== 'string') {
      return deny(401, 'invalid_token', 'the token has no kid matching the issuer keys');
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keySet(authorizer.issuer), {
        issuer: authorizer.issuer,
        algorithms: ALGORITHMS,
        // API Gateway allows no clock skew either, and validates `exp`: a token without one is refused.
        clockTolerance: 0,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return deny(401, 'invalid_token', describe(error));
    }
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000) {
      return deny(401, 'invalid_token', 'the token was issued in the future');
    }
    const audiences = claims.aud === undefined ? [claims.client_id] : [claims.aud].flat();
    if (
      !audiences.some((audience) => typeof audience === 'string' && authorizer.audience.includes(audience))
    ) {
      return deny(401, 'invalid_token', 'the token does not have a valid audience');
    }
    if (scopes.length > 0) {
      const granted = grantedScopes(claims);
      if (!scopes.some((scope) => granted.includes(scope))) {
        return deny(403, 'insufficient_scope', 'the token does not have the required scope', scopes);
      }
    }
    return { ok: true, claims };
  }

  private keySet(issuer: string): ReturnType<typeof createRemoteJWKSet> {
    let keySet = this.keySets.get(issuer);
    if (!keySet) {
      keySet = createRemoteJWKSet(this.jwksUrl(issuer));
      this.keySets.set(issuer, keySet);
    }
    return keySet;
  }
}

/** The token at `$request.header.<name>`, without a `Bearer ` prefix. */
function tokenFrom(
  identitySource: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  const header = /^\$request\.header\.(.+)$/.exec(identitySource)?.[1];
  if (!header) return undefined;
  const value = headers[header.toLowerCase()];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  return /^bearer\s+/i.test(text) ? text.replace(/^bearer\s+/i, '') : text;
}

function protectedHeader(token: string): ReturnType<typeof decodeProtectedHeader> | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

function grantedScopes(claims: JWTPayload): string[] {
  const value = claims.scope ?? claims.scp;
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return Array.isArray(value) ? value.filter((scope): scope is string => typeof scope === 'string') : [];
}

function deny(
  status: 401 | 403,
  error: string,
  description: string,
  scopes: readonly string[] = [],
): { ok: false } & Denial {
  return {
    ok: false,
    status,
    wwwAuthenticate: `Bearer scope="${scopes.join(' ')}" error="${error}" error_description="${description}"`,
  };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp') {
    return 'the token has no expiration';
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iss') {
    return 'the token does not have a valid issuer';
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
    return 'the token is not valid yet';
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token has no kid matching the issuer keys';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with an RSA algorithm';
  return 'the token is invalid';
}
