package pionlog

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/pion/logging"
)

// lines collects what a Factory says.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) say(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, line)
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

func TestWording(t *testing.T) {
	for _, v := range []string{"PION_LOG_ERROR", "PION_LOG_WARN", "PION_LOG_INFO", "PION_LOG_DEBUG", "PION_LOG_TRACE"} {
		t.Setenv(v, "")
	}
	t.Setenv("PION_LOG_WARN", "ice")
	var l lines
	f := New(l.say)
	f.NewLogger("datachannel").Errorf("Failed to accept data channel: %v", errors.New("boom"))
	f.NewLogger("datachannel").Warnf("Not said: %d", 1) // errors only, by default
	f.NewLogger("ice").Warnf("ICE agent lost its pair\n")
	f.NewLogger("ice").Infof("Not said either")
	f.NewLogger("sctp").Error("Association   closed")
	f.NewLogger("newscope").Error("Something")
	want := []string{
		"data channel error: failed to accept data channel: boom",
		"connectivity checks (ICE) warning: ICE agent lost its pair",
		"data channels (SCTP) error: association closed",
		"WebRTC (newscope) error: something",
	}
	if got := l.all(); !slices.Equal(got, want) {
		t.Errorf("said\n%q\nwant\n%q", got, want)
	}
	// Discard and a nil say say nothing, and do not fail.
	for _, f := range []logging.LoggerFactory{Discard, New(nil)} {
		f.NewLogger("dtls").Errorf("dropped")
	}

}
