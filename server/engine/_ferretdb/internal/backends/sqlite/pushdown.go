// Added by blindbox-pay (server/dev/engine-patch.ts copies this file into FerretDB's module).

package sqlite

import (
	"context"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// prepareWhereClause pushes the parts of filter that an index can serve down to SQL, so SQLite searches its
// expression indexes instead of FerretDB decoding every document. Every caller filters the returned documents
// again with the full filter, so a condition here may only narrow the candidates, never drop a document
// MongoDB would match. Hence:
//   - only fields with a non-multikey index (see metadata.Collection.PushdownField);
//   - only non-null scalars, never embedded documents, arrays or regular expressions;
//   - SQL compares across types (numbers < text), a superset of MongoDB's type-bracketed comparison;
//   - numeric bounds are inclusive and non-integral ones widened, because SQLite parses the stored JSON
//     numbers itself and a last-digit difference must not exclude a boundary document;
//   - operators not handled here are simply left to FerretDB's matcher (the conditions are ANDed).
//
// A top-level `$in: []` matches nothing on any field; the clause is then matchNothing.
func prepareWhereClause(meta *metadata.Collection, filter *types.Document) (string, []any) {
	var conditions []string
	var args []any

	values := filter.Values()

	for i, key := range filter.Keys() {
		if emptyIn(values[i]) {
			return matchNothing, nil
		}

		if key == "_id" {
			if c, a := idCondition(values[i]); c != "" {
				conditions = append(conditions, c)
				args = append(args, a...)
			}

			continue
		}

		if !meta.PushdownField(key) {
			continue
		}

		c, a := fieldConditions(metadata.FieldExpression(key), values[i])
		conditions = append(conditions, c...)
		args = append(args, a...)
	}

	if len(conditions) == 0 {
		return "", nil
	}

	return " WHERE " + strings.Join(conditions, " AND "), args
}

// matchNothing is a constant-false WHERE clause: SQLite checks it once and reads no row (its plan still says SCAN).
const matchNothing = " WHERE FALSE"

func emptyIn(v any) bool {
	ops, ok := v.(*types.Document)
	if !ok || !slices.Contains(ops.Keys(), "$in") {
		return false
	}

	list, ok := must.NotFail(ops.Get("$in")).(*types.Array)

	return ok && list.Len() == 0
}

// idCondition compares _id as JSON text, like the unique _id index FerretDB builds (`->"_id"`).
func idCondition(v any) (string, []any) {
	switch v := v.(type) {
	case string, types.ObjectID:
		return metadata.IDColumn + " = ?", []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
	case *types.Document:
		if v.Len() != 1 || v.Keys()[0] != "$in" {
			return "", nil
		}

		list, ok := must.NotFail(v.Get("$in")).(*types.Array)
		if !ok || list.Len() == 0 {
			return "", nil
		}

		args := make([]any, list.Len())

		for i := range list.Len() {
			switch e := must.NotFail(list.Get(i)).(type) {
			case string, types.ObjectID:
				args[i] = string(must.NotFail(sjson.MarshalSingleValue(e)))
			default:
				return "", nil
			}
		}

		return metadata.IDColumn + " IN (" + placeholders(len(args)) + ")", args
	}

	return "", nil
}

func fieldConditions(expr string, v any) ([]string, []any) {
	ops, isDoc := v.(*types.Document)
	if !isDoc {
		if c, a := equality(expr, v); c != "" {
			return []string{c}, a
		}

		return nil, nil
	}

	for _, op := range ops.Keys() {
		if !strings.HasPrefix(op, "$") {
			return nil, nil // an embedded document to compare as a whole
		}
	}

	var conditions []string
	var args []any

	operands := ops.Values()

	for i, op := range ops.Keys() {
		var c string
		var a []any

		switch op {
		case "$eq":
			c, a = equality(expr, operands[i])
		case "$in":
			c, a = in(expr, operands[i])
		case "$gt", "$gte":
			c, a = bound(expr, ">", operands[i], op == "$gt")
		case "$lt", "$lte":
			c, a = bound(expr, "<", operands[i], op == "$lt")
		}

		if c != "" {
			conditions = append(conditions, c)
			args = append(args, a...)
		}
	}

	return conditions, args
}

// sqlValue is the value `->>` yields for a stored v, and whether v is a number SQLite compares numerically.
func sqlValue(v any) (any, bool, bool) {
	switch v := v.(type) {
	case string:
		return v, false, !strings.ContainsRune(v, 0)
	case types.ObjectID:
		return hex.EncodeToString(v[:]), false, true
	case bool:
		if v {
			return int64(1), true, true
		}

		return int64(0), true, true
	case int32:
		return int64(v), true, true
	case int64:
		return v, true, true
	case float64:
		return v, true, !math.IsNaN(v) && !math.IsInf(v, 0)
	case time.Time:
		return v.UnixMilli(), true, true
	}

	return nil, false, false
}

// inexact reports whether SQLite's own parsing of a stored JSON number near v might differ from Go's.
func inexact(v any) bool {
	f, ok := v.(float64)
	return ok && (f != math.Trunc(f) || math.Abs(f) > 1<<53)
}

func widen(f float64, direction float64) float64 {
	return f + direction*math.Max(math.Abs(f)*1e-12, math.SmallestNonzeroFloat64)
}

func equality(expr string, v any) (string, []any) {
	arg, _, ok := sqlValue(v)
	if !ok {
		return "", nil
	}

	if inexact(arg) {
		f := arg.(float64)
		return expr + " BETWEEN ? AND ?", []any{widen(f, -1), widen(f, 1)}
	}

	return expr + " = ?", []any{arg}
}

func in(expr string, v any) (string, []any) {
	list, ok := v.(*types.Array)
	if !ok || list.Len() == 0 {
		return "", nil
	}

	args := make([]any, list.Len())

	for i := range list.Len() {
		arg, _, ok := sqlValue(must.NotFail(list.Get(i)))
		if !ok || inexact(arg) {
			return "", nil
		}

		args[i] = arg
	}

	return expr + " IN (" + placeholders(len(args)) + ")", args
}

// bound is expr > v (direction ">") or expr < v; strict only for text, which SQLite compares exactly.
func bound(expr, direction string, v any, strict bool) (string, []any) {
	arg, numeric, ok := sqlValue(v)
	if !ok {
		return "", nil
	}

	if numeric {
		strict = false

		if inexact(arg) {
			if direction == ">" {
				arg = widen(arg.(float64), -1)
			} else {
				arg = widen(arg.(float64), 1)
			}
		}
	}

	op := direction
	if !strict {
		op += "="
	}

	return expr + " " + op + " ?", []any{arg}
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// markMultikey flags the index paths along which one of docs, about to be written, holds an array.
func (c *collection) markMultikey(ctx context.Context, meta *metadata.Collection, docs []*types.Document) error {
	var paths []string

	for _, index := range meta.Settings.Indexes {
		for _, key := range index.Key {
			if multikey, known := meta.Settings.MultikeyPaths[key.Field]; !known || multikey || slices.Contains(paths, key.Field) {
				continue
			}

			for _, doc := range docs {
				if metadata.ArrayOnPath(doc, key.Field) {
					paths = append(paths, key.Field)
					break
				}
			}
		}
	}

	if len(paths) == 0 {
		return nil
	}

	return c.r.MultikeyMark(ctx, c.dbName, c.name, paths)
}
