import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

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

export function sessionTokens({ secret, ttlSeconds }: SessionTokensOptions): SessionTokens {
  // A KeyObject, made once: given a string, jsonwebtoken first tries it as a PEM public key on every call
  // (an exception per request), which was the largest single cost of a drop's requests.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
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
      let payload: string | jwt.JwtPayload;
      try {
        payload = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE });
      } catch {
        return null;
      }
      if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.openid !== 'string') return null;
      return { userId: payload.sub, openid: payload.openid };
    },
  };
}
