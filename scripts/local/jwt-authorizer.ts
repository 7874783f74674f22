import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { JwtAuthorizer } from './http-api';

/** A refusal (401: a bad or missing token; 403: a good one without the route's scope) and API Gateway's `www-authenticate`. */
export type Denial = { status: 401 | 403; wwwAuthenticate: string };

/** RSA only, as API Gateway: it refuses HMAC and EC tokens. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** API Gateway's error descriptions, by jose's error code or the claim that failed. */
const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWKS_NO_MATCHING_KEY: 'the token has no kid matching the issuer keys',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature is invalid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token is not signed with an RSA algorithm',
  exp: 'the token has no expiration',
  iss: 'the token does not have a valid issuer',
  nbf: 'the token is not valid yet',
};

/**
 * Checks tokens the way an HTTP API's JWT authorizer does
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): the token
 * with or without `Bearer `; its signature against the issuer's JWKS (`kid` must name a key there); `iss`;
 * `aud`, or `client_id` when there is no `aud`; `exp`, `nbf` and `iat`; and at least one of the route's
 * scopes in `scope` or `scp`. API Gateway reads no `token_use`: what keeps ID tokens off a route is
 * requiring a scope, which ID tokens never carry.
 */
export class JwtAuthorizers {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();

  /** `jwksUrl` maps an issuer to where its keys are served (the emulator stands in for Cognito's host). */
  constructor(private readonly jwksUrl: (issuer: string) => URL) {}

  /** Why the token in `header` (the identity source's value) is refused; undefined when it is let through. */
  async authorize(
    authorizer: JwtAuthorizer,
    header: string | undefined,
    scopes: readonly string[],
  ): Promise<Denial | undefined> {
    const token = header?.trim().replace(/^bearer\s+/i, '');
    if (!token) return deny(401, 'invalid_token', 'the token is missing');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(
        token,
        (protectedHeader, jws) => {
          // jose would use a JWKS's only key for a token without `kid`; API Gateway requires a matching kid.
          if (protectedHeader.kid === undefined) throw new errors.JWKSNoMatchingKey();
          const keySet =
            this.keySets.get(authorizer.issuer) ?? createRemoteJWKSet(this.jwksUrl(authorizer.issuer));
          this.keySets.set(authorizer.issuer, keySet);
          return keySet(protectedHeader, jws);
        },
        {
          issuer: authorizer.issuer,
          algorithms: ALGORITHMS,
          // API Gateway allows no clock skew either, and validates `exp`: a token without one is refused.
          clockTolerance: 0,
          requiredClaims: ['exp'],
        },
      ));
    } catch (error) {
      // A claim jose found missing or wrong is named by the claim; an expired token has its own code.
      const { code = '', claim = '' } = error as { code?: string; claim?: string };
      const reason = error instanceof errors.JWTClaimValidationFailed ? REASONS[claim] : REASONS[code];
      return deny(401, 'invalid_token', reason ?? 'the token is invalid');
    }
    // jose checks `iat` only with a maximum age, which API Gateway does not have.
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000) {
      return deny(401, 'invalid_token', 'the token was issued in the future');
    }
    const audiences = claims.aud === undefined ? [claims.client_id] : [claims.aud].flat();
    if (!audiences.some((audience) => authorizer.audience.includes(audience as string))) {
      return deny(401, 'invalid_token', 'the token does not have a valid audience');
    }
    const granted = claims.scope ?? claims.scp;
    const grantedScopes = typeof granted === 'string' ? granted.split(' ') : [granted].flat();
    if (scopes.length > 0 && !scopes.some((scope) => grantedScopes.includes(scope))) {
      return deny(403, 'insufficient_scope', 'the token does not have the required scope', scopes);
    }
    return undefined;
  }
}

function deny(status: 401 | 403, error: string, description: string, scopes: readonly string[] = []): Denial {
  return {
    status,
    wwwAuthenticate: `Bearer scope="${scopes.join(' ')}" error="${error}" error_description="${description}"`,
  };
}
