import type { PublicSeed } from '@blindbox/shared';
import type { PublicSeed as SeedView } from './server-seeds';

/** A published seed as the API answers it (dates in ISO text). */
export const seedDto = (seed: SeedView): PublicSeed => ({
  ...seed,
  committedAt: seed.committedAt.toISOString(),
  rotateAt: seed.rotateAt.toISOString(),
  retiredAt: seed.retiredAt?.toISOString() ?? null,
  revealedAt: seed.revealedAt?.toISOString() ?? null,
});
