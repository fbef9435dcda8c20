// Added by blindbox-pay (server/dev/engine-patch.ts copies this file into FerretDB's module).

package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
)

// The query-plan audit (ENGINE_SCAN_AUDIT=<file>, set by the engine's -scan-audit flag): the first time a
// query shape reaches a collection, its SQL is explained, and if SQLite plans a full SCAN of the table the
// shape is appended to the file as one JSON line. Tests read the file to find queries no index serves.
var scanAudit struct {
	once sync.Once
	mu   sync.Mutex
	file *os.File
	seen map[string]bool
}

type scanAuditEntry struct {
	DB         string   `json:"db"`
	Collection string   `json:"collection"`
	Filter     string   `json:"filter"`
	SQL        string   `json:"sql"`
	Plan       []string `json:"plan"`
}

func auditQueryPlan(ctx context.Context, db *fsql.DB, dbName string, meta *metadata.Collection, filter *types.Document, where, q string, args []any) {
	scanAudit.once.Do(func() {
		if path := os.Getenv("ENGINE_SCAN_AUDIT"); path != "" {
			scanAudit.file, _ = os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			scanAudit.seen = map[string]bool{}
		}
	})

	if scanAudit.file == nil || where == matchNothing {
		return
	}

	entry := scanAuditEntry{DB: dbName, Collection: meta.Name, Filter: filterShape(filter), SQL: q}
	key := strings.Join([]string{entry.DB, entry.Collection, entry.Filter, entry.SQL}, "\x00")

	scanAudit.mu.Lock()
	seen := scanAudit.seen[key]
	scanAudit.seen[key] = true
	scanAudit.mu.Unlock()

	if seen {
		return
	}

	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return
	}
	defer rows.Close()

	var scans bool

	for rows.Next() {
		var id, parent, notused int64
		var detail string

		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return
		}

		entry.Plan = append(entry.Plan, detail)
		scans = scans || strings.HasPrefix(detail, "SCAN "+meta.TableName)
	}

	if !scans {
		return
	}

	line, _ := json.Marshal(entry)

	scanAudit.mu.Lock()
	defer scanAudit.mu.Unlock()

	_, _ = scanAudit.file.Write(append(line, '\n'))
}

// filterShape renders a filter with its values replaced by their types: the query's shape.
func filterShape(v any) string {
	switch v := v.(type) {
	case *types.Document:
		keys, values := v.Keys(), v.Values()
		parts := make([]string, len(keys))

		for i, key := range keys {
			parts[i] = fmt.Sprintf("%q: %s", key, filterShape(values[i]))
		}

		return "{" + strings.Join(parts, ", ") + "}"
	case *types.Array:
		shapes := map[string]bool{}

		for i := range v.Len() {
			e, _ := v.Get(i)
			shapes[filterShape(e)] = true
		}

		list := make([]string, 0, len(shapes))
		for s := range shapes {
			list = append(list, s)
		}

		sort.Strings(list)

		return "[" + strings.Join(list, ", ") + "]"
	case nil:
		return "{}"
	default:
		return fmt.Sprintf("%T", v)
	}
}
