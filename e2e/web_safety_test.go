package e2e

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
)

// TestPageSafetyExchange calls the page from a hostile pion peer that
// speaks the exchange of commitments itself: played by the rules, the page
// shows the number call.SafetyNumberOf gives; with a value that is not the
// one committed to, the page refuses it and ends the call.
func TestPageSafetyExchange(t *testing.T) {
	for _, honest := range []bool{true, false} {
		name := map[bool]string{true: "by the rules", false: "a value not committed to"}[honest]
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			p := openPage(t)
			h := newHostile(t)
			p.click("start")
			answer, err := h.Answer(ctx, p.myCode())
			if err != nil {
				t.Fatal(err)
			}
			p.paste(answer)
			if err := h.WaitOpen(ctx); err != nil {
				t.Fatal(err)
			}
			value, own := commitTo(ctx, t, h)
			if honest {
				send(t, h, map[string]any{"type": "reveal", "value": hex.EncodeToString(own)})
				p.waitFor("the safety number", `window.pigeon.state.safety`)
				want := call.SafetyNumberOf(h.Fingerprint(), own, h.RemoteFingerprint(), value)
				if got := eval[string](p, `window.pigeon.state.safety`); got != want {
					t.Errorf("the page shows %q, want %q", got, want)
				}
				return
			}
			other := append([]byte{own[0] ^ 1}, own[1:]...)
			send(t, h, map[string]any{"type": "reveal", "value": hex.EncodeToString(other)})
			p.waitFor("the call to end", `window.pigeon.state.ended`)
			if msg := eval[string](p, `window.pigeon.state.safetyError`); !strings.Contains(msg, "tried to choose the safety number") {
				t.Errorf("the page says %q", msg)
			}
			if got := eval[string](p, `window.pigeon.state.safety`); got != "" {
				t.Errorf("the page shows the number %q", got)
			}
		})
	}
}
