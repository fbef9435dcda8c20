import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';

export interface SessionTokensOptions {
  secret: string;
  ttlSeconds: number;
}

export interface SessionClaims {
  userId: string;
  openid: string;
}

export interface SessionTokens {
  issue(user: { id: string; openid: string }): { token: string; expiresAt: Date };
  /** null for anything that is not a live token we issued: bad signature, expired, other audience, malformed. */
  verify(token: string): SessionClaims | null;
}

// Audience and issuer pin tokens to this API, so a token signed with the same secret for another
// purpose (or another service sharing it) is never accepted as a session.
const ISSUER = 'blindbox-pay';
const AUDIENCE = 'blindbox-pay/api';
const ALGORITHM = 'HS256';
/** Tokens remembered as verified: about the shoppers active in the last minutes of a busy drop. */
const VERIFIED_TOKENS_KEPT = 20_000;

export function sessionTokens({ secret, ttlSeconds }: SessionTokensOptions): SessionTokens {
  // A KeyObject, made once: given a string, jsonwebtoken first tries it as a PEM public key on every call
  // (an exception per request), which was the largest single cost of a drop's requests.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  /**
   * A token's exact bytes, once verified, are remembered until the token expires: a drop's shoppers send the same
   * token with every tap, and its HMAC and claim checks were a tenth of a sold-out answer's CPU. Only a token
   * identical to the one verified is found here, and never after its `exp`.
   */
  const verified = new LRUCache<string, SessionClaims>({ max: VERIFIED_TOKENS_KEPT, ttlAutopurge: false });
  return {
    issue(user) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const expiresAtSeconds = issuedAt + ttlSeconds;
      const token = jwt.sign({ openid: user.openid, iat: issuedAt, exp: expiresAtSeconds }, key, {
        algorithm: ALGORITHM,
        subject: user.id,
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      return { token, expiresAt: new Date(expiresAtSeconds * 1000) };
    },
    verify(token) {
      const known = verified.get(token);
      if (known) return known;
      let payload: string | jwt.JwtPayload;
      try {
        payload = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE });
      } catch {
        return null;
      }
      if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.openid !== 'string' || typeof payload.exp !== 'number') return null;
      const claims = { userId: payload.sub, openid: payload.openid };
      verified.set(token, claims, { ttl: payload.exp * 1000 - Date.now() });
      return claims;
    },
  };
}
