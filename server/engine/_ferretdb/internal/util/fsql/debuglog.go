// Added by blindbox-pay (server/dev/engine-patch.ts copies this file into FerretDB's module).

package fsql

import (
	"context"
	"log/slog"
)

// logQuery logs an SQL query at debug level. FerretDB built a logger and formatted every query twice per
// call even when debug logging was off; checking the level first makes that free.
func logQuery(ctx context.Context, l *slog.Logger, prefix, query string, fields []any) {
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}

	l.With(fields...).DebugContext(ctx, prefix+query)
}
