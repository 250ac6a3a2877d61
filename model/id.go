// Package model holds the GORM entities, their typed enums with Chinese
// labels, and small query helpers that take a ctx and a *gorm.DB so they run
// inside a transaction as well as outside one.
package model

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// idEpoch is the start of our ID clock (2024-01-01 UTC).
var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// idGen hands out time-ordered 63-bit IDs: 41 bits of milliseconds, 10 bits
// of node (random per process) and 12 bits of sequence. Rows holding personal
// data need their ID before insert because the ID is part of the ciphertext's
// associated data (SECURITY.md 9). This is the one piece of package state in
// the project: an ID source must be shared by every caller in a process.
var idGen = func() *generator {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return &generator{node: int64(binary.BigEndian.Uint16(b[:]) & 0x3ff)}
}()

type generator struct {
	mu   sync.Mutex
	last int64
	seq  int64
	node int64
}

// NewID returns a new unique, roughly time-ordered ID.
func NewID() int64 {
	g := idGen
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now().UnixMilli() - idEpoch
	if now < g.last {
		now = g.last // clock went back: stay on the last millisecond
	}
	if now == g.last {
		g.seq = (g.seq + 1) & 0xfff
		if g.seq == 0 {
			now++ // sequence exhausted: borrow the next millisecond
		}
	} else {
		g.seq = 0
	}
	g.last = now
	return now<<22 | g.node<<12 | g.seq
}
