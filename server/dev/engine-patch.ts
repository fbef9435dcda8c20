import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Source edits applied to a copy of the FerretDB module before the engine is built. Each must match exactly
 * `occurrences` times, so a FerretDB upgrade that moves the code fails the build loudly instead of silently.
 */
export const ferretDbPatches = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    // The unique _id index is built on `->"_id"` (registry.go), but queries, UpdateAll and DeleteAll compared
    // `->'$._id'`; SQLite matches index expressions structurally, so every _id lookup scanned the table.
    // Using the index's own text fixes all three and keeps indexes created by earlier builds usable.
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: 'IDColumn = DefaultColumn + `->"_id"`',
    occurrences: 1,
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    // The SQLite backend uses the _id index only when the filter is exactly {_id: value}, so a guarded update
    // such as {_id, status: 'TO_BE_PAID'} scans the whole collection. Every caller (find, update, delete,
    // findAndModify, count, aggregate) filters the returned documents again with the full filter, so
    // narrowing by _id whenever the filter has a plain _id is safe, and makes those writes O(1).
    // Applied to Query and to Explain, which reports the same decision.
    from: '\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")',
    to: '\tif params.Filter.Len() > 0 && params.Filter.Has("_id") {\n\t\tv, _ := params.Filter.Get("_id")',
    occurrences: 2,
  },
] as const;

const MODULE = 'github.com/FerretDB/FerretDB';

function go(args: string[], cwd: string): string {
  const result = spawnSync('go', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`go ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/**
 * Copies the FerretDB version our go.mod requires out of the module cache, applies the patches and writes a
 * modfile that replaces the module with the patched copy. Returns the modfile for `go build -modfile`.
 */
export function preparePatchedBuild(sourceDir: string, workDir: string): string {
  const required = /^(?:require\s+)?\s*github\.com\/FerretDB\/FerretDB (v\S+)/m.exec(fs.readFileSync(path.join(sourceDir, 'go.mod'), 'utf8'))?.[1];
  if (!required) throw new Error(`${MODULE} is not required in ${sourceDir}/go.mod`);
  const moduleDir = (JSON.parse(go(['mod', 'download', '-json', `${MODULE}@${required}`], sourceDir)) as { Dir: string }).Dir;

  const patchedDir = path.join(workDir, `ferretdb-${required}-patched`);
  fs.rmSync(patchedDir, { recursive: true, force: true });
  fs.cpSync(moduleDir, patchedDir, { recursive: true });
  for (const patch of ferretDbPatches) {
    const file = path.join(patchedDir, patch.file);
    fs.chmodSync(file, 0o644);
    const text = fs.readFileSync(file, 'utf8');
    if (text.split(patch.from).length !== patch.occurrences + 1) throw new Error(`FerretDB patch no longer applies to ${patch.file}`);
    fs.writeFileSync(file, text.replaceAll(patch.from, patch.to));
  }

  const modfile = path.join(workDir, 'build.mod');
  fs.writeFileSync(modfile, `${fs.readFileSync(path.join(sourceDir, 'go.mod'), 'utf8')}\nreplace ${MODULE} => ${patchedDir}\n`);
  fs.copyFileSync(path.join(sourceDir, 'go.sum'), path.join(workDir, 'build.sum'));
  return modfile;
}
