package control

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/transfer"
)

// progressLog records what files says and shows on the status line.
type progressLog struct {
	mu      sync.Mutex
	watched bool
	said    []string
	status  []string // every status shown, the last one last
}

func (l *progressLog) say(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.said = append(l.said, fmt.Sprintf(format, args...))
}

func (l *progressLog) show(text string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.watched {
		return false
	}
	l.status = append(l.status, text)
	return true
}

func (l *progressLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.status) == 0 {
		return "(nothing shown)"
	}
	return l.status[len(l.status)-1]
}

const mib = 1 << 20

func at(name string, bytes, total int64, rate float64) transfer.Progress {
	p := transfer.Progress{Name: name, Bytes: bytes, Total: total, Rate: rate}
	if rate > 0 {
		p.Left = time.Duration(float64(total-bytes) / rate * float64(time.Second))
	}
	return p
}

func done(name string, total int64) transfer.Progress {
	return transfer.Progress{Name: name, Bytes: total, Total: total, Elapsed: 2 * time.Second, Done: true}
}

func TestProgressOnTheStatusLine(t *testing.T) {
	log := &progressLog{watched: true}
	f := newFiles(context.Background(), Files{}, log.say, log.show, nil)

	send, sent := f.progress("sending")
	send(at("a.bin", 0, 8*mib, 0))
	send(at("a.bin", 2*mib, 8*mib, mib))
	if want := "sending a.bin: 2.0 MiB of 8.0 MiB (25%), 1.0 MiB/s, 6s left"; log.last() != want {
		t.Errorf("status %q, want %q", log.last(), want)
	}

	// Two at once share the line, in the order they started.
	receive, received := f.progress("receiving")
	receive(at("b.bin", mib, 10*mib, 2*mib))
	send(at("a.bin", 4*mib, 8*mib, mib))
	if want := "sending a.bin 50% 1.0 MiB/s | receiving b.bin 10% 2.0 MiB/s"; log.last() != want {
		t.Errorf("status %q, want %q", log.last(), want)
	}

	// The end takes a transfer off the line; its outcome is said by the
	// caller, not here.
	send(done("a.bin", 8*mib))
	sent()
	if want := "receiving b.bin: 1.0 MiB of 10.0 MiB (10%), 2.0 MiB/s, 5s left"; log.last() != want {
		t.Errorf("status %q after the first ended, want %q", log.last(), want)
	}
	// A transfer that fails ends without a last report.
	received()
	if log.last() != "" {
		t.Errorf("status %q after both ended, want it cleared", log.last())
	}
	n := len(log.status)
	receive(at("b.bin", 2*mib, 10*mib, 2*mib))
	if len(log.status) != n {
		t.Errorf("a report after the end was shown: %q", log.last())
	}
	if len(log.said) != 0 {
		t.Errorf("progress was said in lines while the status line was watched: %q", log.said)
	}
}

func TestProgressInPlainLines(t *testing.T) {
	for _, status := range []string{"unwatched", "none"} {
		t.Run(status, func(t *testing.T) {
			log := &progressLog{}
			f := newFiles(context.Background(), Files{}, log.say, log.show, nil)
			if status == "none" {
				f.status = nil
			}
			send, sent := f.progress("sending")
			send(at("a.bin", 0, 8*mib, 0))
			send(at("a.bin", 2*mib, 8*mib, mib)) // within two seconds: not said
			send(done("a.bin", 8*mib))
			sent()
			want := []string{
				"sending a.bin: 0 B of 8.0 MiB (0%)",
				"sending a.bin: 8.0 MiB of 8.0 MiB (100%), 4.0 MiB/s on average, in 2s",
			}
			if strings.Join(log.said, "\n") != strings.Join(want, "\n") {
				t.Errorf("said\n%q\nwant\n%q", log.said, want)
			}
			if len(log.status) != 0 {
				t.Errorf("shown on a status line no one watches: %q", log.status)
			}
		})
	}
}
