// Added by blindbox-pay (server/dev/engine-patch.ts copies this file into FerretDB's module).

package resource

// tracking is off: Track recorded a stack trace in a pprof profile and set a finalizer for every iterator,
// transaction and query, per operation, to catch FerretDB's own leaks in its tests. It buys nothing here.
const tracking = false
