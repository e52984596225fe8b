// Package trace writes timestamped events of a call as JSON lines, for the
// benchmarks to read: when the code was written, when the chat opened, when
// the first remote picture was decoded, when a file was saved.
package trace

import (
	"encoding/json"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/pigeon-call/pigeon/internal/private"
)

// Event names.
const (
	CodeWritten = "code-written" // this side's code has been handed out
	CodeRead    = "code-read"    // the peer's code has been read
	Connected   = "connected"    // the connection is up
	ChatOpen    = "chat-open"    // the chat channel is open
	FirstFrame  = "first-frame"  // the first remote picture was decoded
	Summary     = "summary"      // the call has ended; Frames says how many pictures were decoded
	FileSaved   = "file-saved"   // the first file received from the peer was saved whole
)

// Event is one line of a trace.
type Event struct {
	Name string `json:"event"`
	// Time is in Unix nanoseconds, so that traces of two processes on one
	// machine line up.
	Time   int64 `json:"t"`
	Frames int   `json:"frames,omitempty"`
	// First and Last bound the decoded pictures in Unix nanoseconds.
	First int64 `json:"first,omitempty"`
	Last  int64 `json:"last,omitempty"`
	// LatencyP50 and LatencyP95 are the median and 95th percentile, in
	// nanoseconds, of the time from a test picture's capture on the far
	// side to its decoding here.
	LatencyP50 int64 `json:"latencyP50,omitempty"`
	LatencyP95 int64 `json:"latencyP95,omitempty"`
}

// Latencies collects the capture-to-decode time of pictures.
type Latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one picture's latency.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.d = append(l.d, d)
}

// Fill sets e's latency percentiles, if any picture was measured.
func (l *Latencies) Fill(e *Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	e.LatencyP50 = int64(s[len(s)/2])
	e.LatencyP95 = int64(s[len(s)*95/100])
}

// Writer writes events; a nil *Writer writes nothing, so callers need not
// check whether tracing is on.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	c    io.Closer
	seen map[string]bool
}

// Open writes a trace to path; an empty path returns a nil Writer.
func Open(path string) (*Writer, error) {
	if path == "" {
		return nil, nil
	}
	f, err := private.Create(path)
	if err != nil {
		return nil, err
	}
	return &Writer{w: f, c: f, seen: map[string]bool{}}, nil
}

// Mark records the first occurrence of the event name, now.
func (t *Writer) Mark(name string) {
	t.Write(Event{Name: name, Time: time.Now().UnixNano()})
}

// Write records e the first time an event of its name is written.
func (t *Writer) Write(e Event) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen[e.Name] {
		return
	}
	t.seen[e.Name] = true
	line, _ := json.Marshal(e)
	t.w.Write(append(line, '\n'))
}

// Close closes the trace file.
func (t *Writer) Close() error {
	if t == nil {
		return nil
	}
	return t.c.Close()
}

// Read parses a trace, keyed by event name.
func Read(r io.Reader) (map[string]Event, error) {
	events := map[string]Event{}
	dec := json.NewDecoder(r)
	for dec.More() {
		var e Event
		if err := dec.Decode(&e); err != nil {
			return events, err
		}
		events[e.Name] = e
	}
	return events, nil
}
