package cmd

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
)

// TestRestartCommands checks which chat lines are taken for /restart and
// restart codes, and not sent to the peer: /restart alone, /restart CODE,
// and a restart code pasted alone, quoted or not.
func TestRestartCommands(t *testing.T) {
	said := make(chan string, 16)
	var current atomic.Pointer[call.Session]
	c := newControls(nil, &current, func(format string, args ...any) { said <- fmt.Sprintf(format, args...) })
	c.show = func(line string) { t.Errorf("printed %q with no call", line) }
	for _, tt := range []struct {
		line  string
		taken bool
	}{
		{"/restart", true},
		{"/restart pg3r.AAAA", true},
		{"  pg3r.AKiHESAfwAAAd9HefqdVA ", true},
		{"> `pg3r.AKiHESAfwAAAd9HefqdVA`", true},
		{"/help", true},
		{"my code is pg3r.AAAA", false},
		{"pg3o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodYB_AAABqNP-1pC8", false},
	} {
		if got := c.command(tt.line); got != tt.taken {
			t.Errorf("command(%q) = %v, want %v", tt.line, got, tt.taken)
			continue
		}
		if !tt.taken {
			continue
		}
		want := "the call is not up yet"
		if tt.line == "/help" {
			want = "/restart"
		}
		select {
		case msg := <-said:
			if !strings.Contains(msg, want) {
				t.Errorf("%q: said %q, want it to say %q", tt.line, msg, want)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%q: nothing said", tt.line)
		}
	}
}
