import { timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries the scraper's token (`Bearer <METRICS_TOKEN>`), compared in constant
 * time. No token configured: nobody is. Shared by the servers' /metrics and the order door's.
 */
export function scraperToken(token: string | undefined): (authorization: string | undefined) => boolean {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return (authorization) => {
    if (!expected) return false;
    const given = Buffer.from(authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}
