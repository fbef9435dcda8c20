// Command engine runs FerretDB v1 with its SQLite handler as an embedded,
// MongoDB wire-protocol compatible database for development and tests.
// It prints the connection URI on stdout once the listener is ready and
// exits cleanly on SIGINT/SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only with -pprof
	"os"
	"os/signal"
	"path/filepath"
	runtimedebug "runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:27017", "loopback TCP address to listen on")
	dataDir := flag.String("data", ".data/engine", "directory for the SQLite files")
	debug := flag.Bool("debug", false, "log every connection and command (noisy)")
	pprofAddr := flag.String("pprof", "", "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile (pprof) to this file, from start to shutdown")
	scanAudit := flag.String("scan-audit", "", "append each query shape whose SQL plan scans a whole collection table to this file (JSON lines)")
	flag.Parse()

	// Go collects garbage when the heap doubles (GOGC=100); decoding every stored document from JSON makes the
	// engine's heap churn, and in a drop the collector took about a tenth of its CPU. Collecting at five times the
	// live heap (tens of MB here) takes a fraction of that: in three paired drop runs the last winner was answered
	// 8 % sooner. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		runtimedebug.SetGCPercent(400)
	}

	if *scanAudit != "" {
		// read by the patched SQLite backend (server/engine/_ferretdb/internal/backends/sqlite/audit.go)
		os.Setenv("ENGINE_SCAN_AUDIT", *scanAudit)
	}

	if *pprofAddr != "" {
		go func() { log.Println(http.ListenAndServe(*pprofAddr, nil)) }()
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatalf("engine: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatalf("engine: %v", err)
		}
		// Runs when main returns after a clean shutdown (SIGINT/SIGTERM), which is how the benchmark stops it.
		defer pprof.StopCPUProfile()
	}

	level := slog.LevelWarn
	if *debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatalf("engine: bad data directory %q: %v", *dataDir, err)
	}
	// FerretDB's SQLite handler refuses to start unless the directory exists.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatalf("engine: cannot create data directory %s: %v", dir, err)
	}

	// FerretDB listens on a private port; clients reach it through the write serializer on addr.
	backend, err := freeLoopbackAddr()
	if err != nil {
		log.Fatalf("engine: %v", err)
	}

	db, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: backend},
		Handler:  "sqlite",
		// WAL with synchronous=NORMAL: a commit no longer waits for fsync. Committed writes still survive
		// the engine process being killed (they are in the WAL file); only an OS crash or power loss can
		// drop the last few, which is acceptable for a development and test engine (production uses MongoDB).
		// The committing write copies the WAL back into the database file (a checkpoint, with its fsyncs)
		// whenever the WAL passes wal_autocheckpoint pages; SQLite's 1,000 (4 MB) made that 17 % of a
		// guarded update's CPU, 10,000 (40 MB) a tenth as often.
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(normal)&_pragma=wal_autocheckpoint(10000)",
		Logger:    logger,
	})
	if err != nil {
		log.Fatalf("engine: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	done := make(chan struct{})
	go func() {
		defer close(done)
		db.Run(ctx)
	}()

	if err := waitForListener(backend, 30*time.Second); err != nil {
		log.Fatalf("engine: %v", err)
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("engine: %v", err)
	}
	go func() {
		<-ctx.Done()
		listener.Close()
	}()
	go func() {
		if err := newWriteSerializer(backend, logger).serve(listener); err != nil {
			logger.Error("proxy stopped", "err", err)
		}
	}()
	fmt.Printf("mongodb://%s/\n", *addr)

	<-done
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitForListener returns once something accepts TCP connections on addr,
// so the URI is printed only when clients can actually connect.
func waitForListener(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			return conn.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("listener %s not ready after %s", addr, timeout)
}
