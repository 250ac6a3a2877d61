package api

import (
	"bytes"
	"io"
	"log/slog"
	"sync"
)

// syncBuffer lets handlers log from many goroutines while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func slogTo(b *bytes.Buffer) *slog.Logger {
	var w io.Writer = &syncBuffer{b: b}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
