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
  return {
    issue(user) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const expiresAtSeconds = issuedAt + ttlSeconds;
      const token = jwt.sign({ openid: user.openid, iat: issuedAt, exp: expiresAtSeconds }, secret, {
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
        payload = jwt.verify(token, secret, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE });
      } catch {
        return null;
      }
      if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.openid !== 'string') return null;
      return { userId: payload.sub, openid: payload.openid };
    },
  };
}
