package control

import (
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/internal/calltest"
	"github.com/pigeon-call/pigeon/internal/hostile"
	"github.com/pigeon-call/pigeon/internal/pionlog"
)

// TestRenegotiationFailureIsSaidAndLogged checks that a change to the call
// that cannot be negotiated (here a peer's offer that is no session) is
// told to the person, and written to the log that -v shows, while the
// call goes on.
func TestRenegotiationFailureIsSaidAndLogged(t *testing.T) {
	said, logged := &saidLines{}, &saidLines{}
	s, err := call.New(call.Options{Role: call.Callee, Interfaces: []string{"lo"}, Timeout: 10 * time.Second, PasteWait: 10 * time.Second,
		LoggerFactory: pionlog.New(func(line string) { logged.say("%s", line) })})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := New(Options{Session: s, Say: said.say})
	t.Cleanup(c.Close)

	h := calltest.HostileOffers(t, s)
	said.waitFor(t, "connected")
	bad := map[string]any{"description": map[string]string{"type": "offer", "sdp": "v=0\r\nnot a session\r\n"}}
	if err := h.Send(hostile.Negotiate, bad); err != nil {
		t.Fatal(err)
	}
	const want = "the change to the call could not be negotiated: applying the peer's offer"
	said.waitFor(t, want)
	logged.waitFor(t, want)
	select {
	case <-s.Done():
		t.Fatalf("the call ended: %v", s.Wait())
	default:
	}
}
