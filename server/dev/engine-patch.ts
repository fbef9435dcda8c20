import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * How our engine changes FerretDB v1.24.2 before it is built: the Go files under server/engine/_ferretdb are
 * copied into a copy of FerretDB's module at the same paths (the leading `_` keeps Go tooling from building
 * them as part of our own module), and the source edits below hook them in. Each edit must match exactly
 * `occurrences` times, so a FerretDB upgrade that moves the code fails the build loudly instead of silently.
 */
export const overlayDir = path.join(__dirname, '..', 'engine', '_ferretdb');

const sqliteCollection = 'internal/backends/sqlite/collection.go';
const idOnlyFilter = `	// that logic should exist in one place
	// TODO https://github.com/FerretDB/FerretDB/issues/3235
	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
`;
const idWhere = `			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}
`;
const multikeyMark = `
	if err := c.markMultikey(ctx, meta, params.Docs); err != nil {
		return nil, lazyerrors.Error(err)
	}
`;
const sqlLog = (receiver: 'db' | 'tx', prefix: '>>> ' | '<<< ') => ({
  from: `${receiver}.l.With(fields...).DebugContext(ctx, fmt.Sprintf("${prefix}%s", query))`,
  to: `logQuery(ctx, ${receiver}.l, "${prefix}", query, fields)`,
  occurrences: 3,
});

const unusedFmt = { from: '\t"fmt"\n', to: '', occurrences: 1 };

export const ferretDbPatches = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    // The unique _id index is built on `->"_id"` (registry.go), but queries, UpdateAll and DeleteAll compared
    // `->'$._id'`; SQLite matches index expressions structurally, so every _id lookup scanned the table.
    // Using the index's own text fixes all three and keeps indexes created by earlier builds usable.
    edits: [{ from: `IDColumn = DefaultColumn + "->'$._id'"`, to: 'IDColumn = DefaultColumn + `->"_id"`', occurrences: 1 }],
  },
  {
    file: sqliteCollection,
    // Filter pushdown (pushdown.go): equality, $in and ranges on indexed non-multikey fields, and _id in any
    // filter that has one, instead of only a filter that is exactly {_id}. The same clause feeds Explain.
    edits: [
      { from: `${idOnlyFilter}${idWhere}`, to: '\twhereClause, args = prepareWhereClause(meta, params.Filter)\n', occurrences: 1 },
      {
        from: `${idOnlyFilter}			filterPushdown = true\n${idWhere}`,
        to: '\twhereClause, args = prepareWhereClause(meta, params.Filter)\n\tfilterPushdown = whereClause != ""\n',
        occurrences: 1,
      },
      // The query-plan audit (audit.go) sees every query a command makes.
      {
        from: '\trows, err := db.QueryContext(ctx, q, args...)\n\tif err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n\n\treturn &backends.QueryResult{\n\t\tIter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),',
        to: '\tauditQueryPlan(ctx, db, c.dbName, meta, params.Filter, whereClause, q, args)\n\n\trows, err := db.QueryContext(ctx, q, args...)\n\tif err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n\n\treturn &backends.QueryResult{\n\t\tIter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),',
        occurrences: 1,
      },
      // Multikey flags are set before a document with an array on an indexed path is written.
      {
        from: '\tmeta := c.r.CollectionGet(ctx, c.dbName, c.name)\n\n\terr := db.InTransaction(',
        to: `\tmeta := c.r.CollectionGet(ctx, c.dbName, c.name)\n${multikeyMark}\n\terr := db.InTransaction(`,
        occurrences: 1,
      },
      {
        from: '\tq := fmt.Sprintf(`UPDATE %q SET %s = ? WHERE %s = ?`, meta.TableName, metadata.DefaultColumn, metadata.IDColumn)\n',
        to: `\tq := fmt.Sprintf(\`UPDATE %q SET %s = ? WHERE %s = ?\`, meta.TableName, metadata.DefaultColumn, metadata.IDColumn)\n${multikeyMark}`,
        occurrences: 1,
      },
    ],
  },
  {
    file: 'internal/backends/sqlite/metadata/settings.go',
    // Per indexed path: has any stored document held an array along it (true), never (false), unknown (absent).
    edits: [
      { from: '\tCappedDocuments int64       `json:"cappedDocuments"`\n', to: '\tCappedDocuments int64       `json:"cappedDocuments"`\n\tMultikeyPaths   map[string]bool `json:"multikeyPaths,omitempty"`\n', occurrences: 1 },
      { from: '\t\tCappedDocuments: s.CappedDocuments,\n', to: '\t\tCappedDocuments: s.CappedDocuments,\n\t\tMultikeyPaths:   maps.Clone(s.MultikeyPaths),\n', occurrences: 1 },
      { from: '\t"slices"\n', to: '\t"maps"\n\t"slices"\n', occurrences: 1 },
    ],
  },
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    edits: [
      // Index expressions come from fields.go, the same place the pushdown takes them from.
      {
        from: `		q := "CREATE "

		if index.Unique {
			q += "UNIQUE "
		}

		q += "INDEX %q ON %q (%s)"

		columns := make([]string, len(index.Key))
		for i, key := range index.Key {
			fields := strings.Split(key.Field, ".")
			for j, f := range fields {
				fields[j] = fmt.Sprintf("%q", f)
			}

			columns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))
			if key.Descending {
				columns[i] += " DESC"
			}
		}

		q = fmt.Sprintf(
			q,
			c.TableName+"_"+index.Name,
			c.TableName,
			strings.Join(columns, ", "),
		)
`,
        to: '\t\tq := indexStatement(c.TableName, index)\n',
        occurrences: 1,
      },
      {
        from: '\t\tcreated = append(created, index.Name)\n',
        to: '\t\tcreated = append(created, index.Name)\n\n\t\tif err := learnMultikey(ctx, db, c, index); err != nil {\n\t\t\t_ = r.indexesDrop(ctx, dbName, collectionName, created)\n\t\t\treturn lazyerrors.Error(err)\n\t\t}\n',
        occurrences: 1,
      },
      // Data folders written by an earlier build get the current index expressions and multikey flags.
      { from: '\tr.colls[dbName] = colls\n\n\treturn nil\n}', to: '\tr.colls[dbName] = colls\n\n\treturn r.upgradeCollections(ctx, db, colls)\n}', occurrences: 1 },
    ],
  },
  {
    file: 'ferretdb/ferretdb.go',
    // find and aggregate pass dotted keys (e.g. payment.current.createdAt) to the backend, which pushes them
    // down on the same terms as top-level ones; update, delete and findAndModify always passed them.
    edits: [{ from: '\t\t\tCappedCleanupPercentage: 10,\n', to: '\t\t\tCappedCleanupPercentage: 10,\n\t\t\tEnableNestedPushdown:    true,\n', occurrences: 1 }],
  },
  // Per-operation overhead that buys nothing here (measured in the README's "Database engine" section).
  {
    file: 'internal/util/resource/resource.go',
    edits: (['Track', 'Untrack'] as const).map((name) => ({
      from: `func ${name}(obj any, token *Token) {\n\tcheckArgs(obj, token)\n`,
      to: `func ${name}(obj any, token *Token) {\n\tif !tracking {\n\t\treturn\n\t}\n\n\tcheckArgs(obj, token)\n`,
      occurrences: 1,
    })),
  },
  { file: 'internal/util/fsql/db.go', edits: [sqlLog('db', '>>> '), sqlLog('db', '<<< '), unusedFmt] },
  { file: 'internal/util/fsql/tx.go', edits: [sqlLog('tx', '>>> '), sqlLog('tx', '<<< '), unusedFmt] },
  {
    file: 'internal/handler/msg_find.go',
    // formatted every find's parameters with %+v whatever the log level
    edits: [
      {
        from: '\th.L.DebugContext(ctx, fmt.Sprintf("Converted %+v for %+v to %+v.", params, cInfo, qp))\n',
        to: '\tif h.L.Enabled(ctx, slog.LevelDebug) {\n\t\th.L.DebugContext(ctx, fmt.Sprintf("Converted %+v for %+v to %+v.", params, cInfo, qp))\n\t}\n',
        occurrences: 1,
      },
    ],
  },
] as const;

const MODULE = 'github.com/FerretDB/FerretDB';

function go(args: string[], cwd: string): string {
  const result = spawnSync('go', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`go ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Every file under dir, relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .sort();
}

/**
 * Copies the FerretDB version our go.mod requires out of the module cache, adds the overlay, applies the
 * edits and writes a modfile that replaces the module with the patched copy. Returns the modfile for
 * `go build -modfile`.
 */
export function preparePatchedBuild(sourceDir: string, workDir: string): string {
  const required = /^(?:require\s+)?\s*github\.com\/FerretDB\/FerretDB (v\S+)/m.exec(fs.readFileSync(path.join(sourceDir, 'go.mod'), 'utf8'))?.[1];
  if (!required) throw new Error(`${MODULE} is not required in ${sourceDir}/go.mod`);
  const moduleDir = (JSON.parse(go(['mod', 'download', '-json', `${MODULE}@${required}`], sourceDir)) as { Dir: string }).Dir;

  const patchedDir = path.join(workDir, `ferretdb-${required}-patched`);
  fs.rmSync(patchedDir, { recursive: true, force: true });
  fs.cpSync(moduleDir, patchedDir, { recursive: true });
  for (const file of filesUnder(overlayDir)) {
    const target = path.join(patchedDir, file);
    if (fs.existsSync(target)) throw new Error(`overlay file ${file} would replace FerretDB's own`);
    fs.chmodSync(path.dirname(target), 0o755);
    fs.copyFileSync(path.join(overlayDir, file), target);
  }
  for (const patch of ferretDbPatches) {
    const file = path.join(patchedDir, patch.file);
    fs.chmodSync(file, 0o644);
    let text = fs.readFileSync(file, 'utf8');
    for (const edit of patch.edits) {
      const found = text.split(edit.from).length - 1;
      if (found !== edit.occurrences) {
        throw new Error(`FerretDB patch no longer applies to ${patch.file}: expected ${edit.occurrences}, found ${found} of\n${edit.from}`);
      }
      text = text.replaceAll(edit.from, edit.to);
    }
    fs.writeFileSync(file, text);
  }

  const modfile = path.join(workDir, 'build.mod');
  fs.writeFileSync(modfile, `${fs.readFileSync(path.join(sourceDir, 'go.mod'), 'utf8')}\nreplace ${MODULE} => ${patchedDir}\n`);
  fs.copyFileSync(path.join(sourceDir, 'go.sum'), path.join(workDir, 'build.sum'));
  return modfile;
}
