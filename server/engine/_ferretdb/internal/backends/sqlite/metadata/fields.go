// Added by blindbox-pay (server/dev/engine-patch.ts copies this file into FerretDB's module).

package metadata

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// pathSegment is a field name that needs no quoting in an SQLite JSON path and cannot be an array position.
var pathSegment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Pushable reports whether filters on field can be pushed down to an expression index on it.
func Pushable(field string) bool {
	if field == "_id" {
		return false
	}

	for _, segment := range strings.Split(field, ".") {
		if !pathSegment.MatchString(segment) {
			return false
		}
	}

	return true
}

// FieldExpression is the SQL expression an index on field is built on. Queries must use the very same text:
// SQLite matches index expressions structurally, so `->'$._id'` never uses an index on `->"_id"`.
//
// `->>` yields SQL values (TEXT, INTEGER, REAL, 1/0 for booleans), so one index serves equality and ranges on
// strings, ObjectIds (hex text), numbers of every BSON type and dates (milliseconds). Fields that are not
// Pushable keep FerretDB's original expression; no query uses those.
func FieldExpression(field string) string {
	if field == "_id" {
		return IDColumn
	}

	if Pushable(field) {
		return DefaultColumn + "->>'$." + field + "'"
	}

	fields := strings.Split(field, ".")
	for j, f := range fields {
		fields[j] = fmt.Sprintf("%q", f)
	}

	return DefaultColumn + "->" + strings.Join(fields, "->")
}

// indexStatement is the CREATE INDEX statement for index on table.
func indexStatement(table string, index IndexInfo) string {
	q := "CREATE "
	if index.Unique {
		q += "UNIQUE "
	}

	columns := make([]string, len(index.Key))
	for i, key := range index.Key {
		columns[i] = FieldExpression(key.Field)
		if key.Descending {
			columns[i] += " DESC"
		}
	}

	return fmt.Sprintf(q+"INDEX %q ON %q (%s)", table+"_"+index.Name, table, strings.Join(columns, ", "))
}

// PushdownField reports whether an equality or range on field may be pushed down: some index has it as a key,
// and no document stored so far held an array anywhere along its path (MongoDB's "multikey" idea). With an
// array, `{f: "x"}` matches `f: ["x", "y"]`, which a plain SQL comparison would miss.
func (c *Collection) PushdownField(field string) bool {
	multikey, known := c.Settings.MultikeyPaths[field]
	if !known || multikey {
		return false
	}

	for _, index := range c.Settings.Indexes {
		for _, key := range index.Key {
			if key.Field == field {
				return true
			}
		}
	}

	return false
}

// ArrayOnPath reports whether doc holds an array at path or at any of its prefixes.
func ArrayOnPath(doc *types.Document, path string) bool {
	var current any = doc

	for _, segment := range strings.Split(path, ".") {
		d, ok := current.(*types.Document)
		if !ok {
			return false
		}

		v, err := d.Get(segment)
		if err != nil {
			return false
		}

		if _, isArray := v.(*types.Array); isArray {
			return true
		}

		current = v
	}

	return false
}

// learnMultikey records, for every pushable key of index not known yet, whether a stored document holds an
// array along its path. Writes are serialised with index creation (server/engine/write_serializer.go),
// so no document can slip in between this scan and the flag.
func learnMultikey(ctx context.Context, db *fsql.DB, c *Collection, index IndexInfo) error {
	for _, key := range index.Key {
		if !Pushable(key.Field) {
			continue
		}

		if _, known := c.Settings.MultikeyPaths[key.Field]; known {
			continue
		}

		segments := strings.Split(key.Field, ".")
		conditions := make([]string, len(segments))

		for i := range segments {
			conditions[i] = fmt.Sprintf("json_type(%s, '$.%s') = 'array'", DefaultColumn, strings.Join(segments[:i+1], "."))
		}

		q := fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %q WHERE %s)", c.TableName, strings.Join(conditions, " OR "))

		var multikey bool
		if err := db.QueryRowContext(ctx, q).Scan(&multikey); err != nil {
			return lazyerrors.Error(err)
		}

		if c.Settings.MultikeyPaths == nil {
			c.Settings.MultikeyPaths = map[string]bool{}
		}

		c.Settings.MultikeyPaths[key.Field] = multikey
	}

	return nil
}

// MultikeyMark records that a document about to be written holds an array along paths.
// It is called before the write, so a reader that sees the document also sees the flag.
func (r *Registry) MultikeyMark(ctx context.Context, dbName, collectionName string, paths []string) error {
	r.rw.Lock()
	defer r.rw.Unlock()

	db := r.DatabaseGetExisting(ctx, dbName)
	c := r.collectionGet(dbName, collectionName)

	if db == nil || c == nil {
		return nil
	}

	if c.Settings.MultikeyPaths == nil {
		c.Settings.MultikeyPaths = map[string]bool{}
	}

	for _, path := range paths {
		c.Settings.MultikeyPaths[path] = true
	}

	r.colls[dbName][collectionName] = c

	q := fmt.Sprintf("UPDATE %q SET settings = ? WHERE table_name = ?", metadataTableName)
	if _, err := db.ExecContext(ctx, q, c.Settings, c.TableName); err != nil {
		return lazyerrors.Error(err)
	}

	return nil
}

// upgradeCollections rebuilds indexes created by an older build with other expressions (queries would never
// use them) and learns the multikey flags of indexes that have none. It runs once, when the registry opens.
func (r *Registry) upgradeCollections(ctx context.Context, db *fsql.DB, colls map[string]*Collection) error {
	for _, c := range colls {
		for _, index := range c.Settings.Indexes {
			want := indexStatement(c.TableName, index)

			var have string
			row := db.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", c.TableName+"_"+index.Name)
			if err := row.Scan(&have); err != nil {
				return lazyerrors.Error(err)
			}

			if have != want {
				r.l.WarnContext(ctx, "Rebuilding an index created by an older engine build", slog.String("index", c.TableName+"_"+index.Name))

				if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP INDEX %q", c.TableName+"_"+index.Name)); err != nil {
					return lazyerrors.Error(err)
				}

				if _, err := db.ExecContext(ctx, want); err != nil {
					if _, restoreErr := db.ExecContext(ctx, have); restoreErr != nil {
						return lazyerrors.Error(restoreErr)
					}

					r.l.WarnContext(ctx, "Kept the old index", slog.String("index", index.Name), slog.String("error", err.Error()))

					continue
				}
			}

			if err := learnMultikey(ctx, db, c, index); err != nil {
				return lazyerrors.Error(err)
			}
		}

		q := fmt.Sprintf("UPDATE %q SET settings = ? WHERE table_name = ?", metadataTableName)
		if _, err := db.ExecContext(ctx, q, c.Settings, c.TableName); err != nil {
			return lazyerrors.Error(err)
		}
	}

	return nil
}
