import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

/**
 * The node flags `npm run start:prod` gives the server (the root package.json), read from the script itself so
 * whatever starts the built server as production does (the bench, the deploy test) starts it the same way.
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = (() => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return ((scripts['start:prod'] ?? '').split(/\bnode\s+/)[1] ?? '').split(/\s+/).filter((word) => word.startsWith('--'));
})();
