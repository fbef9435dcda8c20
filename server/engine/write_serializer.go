package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"

	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// FerretDB v1 executes a conditional update as "query matching documents, then write them back by _id",
// without holding anything between the two steps. Two concurrent `update {stock: {$gte: 1}}` can therefore
// both match and both write, which breaks the compare-and-set every guarded transition and stock
// reservation relies on (MongoDB makes each single-document write atomic). This proxy sits between
// clients and FerretDB and runs the write commands of one collection one at a time, restoring that guarantee.
// Reads pass through concurrently (WAL). Writes queue per database, not per collection: every collection of a
// database is a table in the same SQLite file, which takes one writer at a time, and a second writer is told
// SQLITE_BUSY and sleeps in SQLite's busy handler (1, 2, 5 … 100 ms between tries) instead of waiting its
// turn. Measured in a drop (10 orders placed at once, each writing several collections of the main database):
// per collection, both processes sat idle while each order took about a second; a queue per database hands
// the file from one writer to the next at once.

const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013

	moreToCome = 1 << 1
	maxMessage = 48 * 1024 * 1024
)

// Index creation is serialised with the writes too: it learns whether stored documents hold arrays on the
// indexed paths (the multikey flags that gate filter pushdown), and no write may slip in between.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findandmodify": true, "findAndModify": true,
	"createIndexes": true,
}

type writeSerializer struct {
	backend string
	mu      sync.Mutex
	locks   map[string]*sync.Mutex
	logger  *slog.Logger
}

func newWriteSerializer(backend string, logger *slog.Logger) *writeSerializer {
	return &writeSerializer{backend: backend, locks: map[string]*sync.Mutex{}, logger: logger}
}

func (s *writeSerializer) lockFor(database string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.locks[database]
	if !ok {
		l = &sync.Mutex{}
		s.locks[database] = l
	}
	return l
}

func (s *writeSerializer) serve(listener net.Listener) error {
	for {
		client, err := listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go s.handle(client)
	}
}

func (s *writeSerializer) handle(client net.Conn) {
	defer client.Close()
	backend, err := net.Dial("tcp", s.backend)
	if err != nil {
		s.logger.Error("cannot reach FerretDB", "err", err)
		return
	}
	defer backend.Close()

	for {
		request, err := readMessage(client)
		if err != nil {
			return
		}
		if database, ok := writeTarget(request); ok {
			lock := s.lockFor(database)
			lock.Lock()
			err = roundTrip(request, client, backend)
			lock.Unlock()
		} else {
			err = roundTrip(request, client, backend)
		}
		if err != nil {
			return
		}
	}
}

// roundTrip forwards one request and relays its replies: none when the client set moreToCome,
// several while the server sets moreToCome (exhaust cursors).
func roundTrip(request []byte, client, backend net.Conn) error {
	if _, err := backend.Write(request); err != nil {
		return err
	}
	if opCode(request) == opMsg && flags(request)&moreToCome != 0 {
		return nil
	}
	for {
		reply, err := readMessage(backend)
		if err != nil {
			return err
		}
		if _, err := client.Write(reply); err != nil {
			return err
		}
		if opCode(reply) != opMsg || flags(reply)&moreToCome == 0 {
			return nil
		}
	}
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [16]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	length := int(binary.LittleEndian.Uint32(header[:4]))
	if length < 16 || length > maxMessage {
		return nil, fmt.Errorf("bad message length %d", length)
	}
	message := make([]byte, length)
	copy(message, header[:])
	if _, err := io.ReadFull(r, message[16:]); err != nil {
		return nil, err
	}
	return message, nil
}

func opCode(message []byte) int32 { return int32(binary.LittleEndian.Uint32(message[12:16])) }

func flags(message []byte) uint32 {
	if len(message) < 20 {
		return 0
	}
	return binary.LittleEndian.Uint32(message[16:20])
}

// writeTarget reports whether an OP_MSG carries a write command, and for which database (its SQLite file).
func writeTarget(message []byte) (string, bool) {
	if opCode(message) != opMsg || len(message) < 21 || message[20] != 0 {
		return "", false
	}
	body := bsoncore.Document(message[21:])
	if _, _, ok := bsoncore.ReadDocument(message[21:]); !ok {
		return "", false
	}
	first, err := body.IndexErr(0)
	if err != nil || !writeCommands[first.Key()] {
		return "", false
	}
	if _, ok := first.Value().StringValueOK(); !ok {
		return "", false
	}
	return body.Lookup("$db").StringValueOK()
}
