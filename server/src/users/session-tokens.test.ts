import jwt from 'jsonwebtoken';
import { sessionTokens } from './session-tokens';

const secret = 'a-test-secret-that-is-long-enough-for-hs256';
const user = { id: '65f0c0ffee0000000000abcd', openid: 'o-test-openid' };

describe('sessionTokens', () => {
  it('verifies what it issued and reports the expiry it signed', () => {
    const tokens = sessionTokens({ secret, ttlSeconds: 3600 });
    const before = Date.now();
    const { token, expiresAt } = tokens.issue(user);
    expect(tokens.verify(token)).toEqual({ userId: user.id, openid: user.openid });
    expect(expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3599_000);
    expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect((jwt.decode(token) as jwt.JwtPayload).exp).toBe(expiresAt.getTime() / 1000);
  });

  it('rejects tokens signed with another secret, for another audience, expired or tampered', () => {
    const tokens = sessionTokens({ secret, ttlSeconds: 3600 });
    const { token } = tokens.issue(user);
    expect(sessionTokens({ secret: `${secret}-other`, ttlSeconds: 3600 }).verify(token)).toBeNull();

    const otherAudience = jwt.sign({ openid: user.openid }, secret, { subject: user.id, issuer: 'blindbox-pay', audience: 'someone-else' });
    expect(tokens.verify(otherAudience)).toBeNull();

    const expired = jwt.sign({ openid: user.openid, exp: Math.floor(Date.now() / 1000) - 10 }, secret, {
      subject: user.id,
      issuer: 'blindbox-pay',
      audience: 'blindbox-pay/api',
    });
    expect(tokens.verify(expired)).toBeNull();

    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...(jwt.decode(token) as object), sub: '65f0c0ffee0000000000ffff' })).toString('base64url');
    expect(tokens.verify(`${header}.${forgedPayload}.${signature}`)).toBeNull();
    expect(tokens.verify('not-a-token')).toBeNull();
  });

  it('remembers a verified token only until it expires, and only its exact bytes', async () => {
    const tokens = sessionTokens({ secret, ttlSeconds: 1 });
    const { token, expiresAt } = tokens.issue(user);
    expect(tokens.verify(token)).toEqual({ userId: user.id, openid: user.openid });
    const [header, payload, signature] = token.split('.');
    expect(tokens.verify(`${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`)).toBeNull();
    // Past its exp the remembered verification is gone too.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now()) + 50));
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses the unsigned "none" algorithm', () => {
    const tokens = sessionTokens({ secret, ttlSeconds: 3600 });
    const unsigned = jwt.sign({ openid: user.openid }, '', {
      algorithm: 'none',
      subject: user.id,
      issuer: 'blindbox-pay',
      audience: 'blindbox-pay/api',
    });
    expect(tokens.verify(unsigned)).toBeNull();
  });
});
