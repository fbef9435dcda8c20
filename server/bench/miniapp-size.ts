import fs from 'node:fs';
import path from 'node:path';

function bytesUnder(dir: string, skip: Set<string>): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip.has(path.resolve(full))) continue;
    total += entry.isDirectory() ? bytesUnder(full, skip) : fs.statSync(full).size;
  }
  return total;
}

/** The main package is what WeChat caps at 2 MB: everything in the build except declared subpackage roots. */
export function miniappMainPackageKb(weappDir: string): number | null {
  const appJson = path.join(weappDir, 'app.json');
  if (!fs.existsSync(appJson)) return null;
  const app = JSON.parse(fs.readFileSync(appJson, 'utf8')) as { subPackages?: Array<{ root: string }>; subpackages?: Array<{ root: string }> };
  const roots = [...(app.subPackages ?? []), ...(app.subpackages ?? [])].map((sub) => path.resolve(weappDir, sub.root));
  return bytesUnder(weappDir, new Set(roots)) / 1024;
}
