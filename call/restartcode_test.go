package call

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

// bothMove moves both sides of a call on p to new addresses, the old ones
// gone, and waits until each has restarted ICE on its own and still has no
// path: neither can tell the other where it went.
func bothMove(t *testing.T, p *path, peers [2]*netPeer) time.Time {
	t.Helper()
	p.move(t, Caller, "10.0.0.1", "10.0.0.3")
	p.move(t, Callee, "10.0.0.2", "10.0.0.4")
	moved := time.Now()
	waitFor(t, "both sides' own restarts", func() bool { return peers[0].Restarts() > 0 && peers[1].Restarts() > 0 })
	return moved
}

// waitResumed waits until each side has received want from the other,
// everything sent is acknowledged, and each has a path from its new
// address, and fails, saying what is missing, if that takes longer than
// within.
func waitResumed(t *testing.T, peers [2]*netPeer, want [2]string, within time.Duration) {
	t.Helper()
	newAddress := [2]string{"10.0.0.3", "10.0.0.4"}
	resumed := func(i int) bool {
		st, ok := peers[i].Stats()
		return slices.Contains(peers[i].received(), want[i]) && len(peers[i].Undelivered()) == 0 &&
			ok && st.Local.Address == newAddress[i]
	}
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resumed(0) && resumed(1) {
			// Looked at again, the path may be gone for a moment: a
			// restart the callee asked for during the outage reaches the
			// caller once the path is back, and it restarts once more.
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Not resumed in time: say what is missing.
	for i, np := range peers {
		select {
		case <-np.Done():
			t.Fatalf("the %v's call ended: %v", np.opts.Role, np.Wait())
		default:
		}
		if got := np.received(); !slices.Contains(got, want[i]) {
			t.Fatalf("the %v has %q, not %q", np.opts.Role, got, want[i])
		}
		if lost := np.Undelivered(); len(lost) > 0 {
			t.Fatalf("the %v's %q were never acknowledged", np.opts.Role, lost)
		}
		if st, ok := np.Stats(); !ok || st.Local.Address != newAddress[i] {
			t.Errorf("the %v's path is %v, want it from %s", np.opts.Role, st.Path(), newAddress[i])
		}
	}
	t.Fatalf("the call did not resume within %v", within)
}

// TestRestartCodeResumes moves both sides of a call at once: the restarts
// over the call cannot find the peer, and the restart codes, carried by
// hand, bring the call back with what was sent meanwhile.
func TestRestartCodeResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("calls whose two sides move at once")
	}
	for _, starter := range []Role{Caller, Callee} {
		t.Run(starter.String()+" starts", func(t *testing.T) {
			const timeout = 20 * time.Second
			p := newPath(t, 5*time.Millisecond)
			peers := [2]*netPeer{newNetPeer(t, Caller, p, nil, timeout), newNetPeer(t, Callee, p, nil, timeout)}
			connectOn(t, peers[0], peers[1])
			if err := peers[0].Send("before"); err != nil {
				t.Fatal(err)
			}
			peers[1].waitReceived(t, "the first message", 10*time.Second, count(1))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if _, err := peers[starter].RestartCode(ctx); !errors.Is(err, ErrNoRestartNeeded) {
				t.Fatalf("RestartCode on a call that is up: %v, want ErrNoRestartNeeded", err)
			}

			moved := bothMove(t, p, peers)
			for _, np := range peers {
				if err := np.Send("during the outage, from the " + np.opts.Role.String()); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(2 * time.Second) // the restarts over the call had their chance
			if got := peers[1].received(); len(got) != 1 {
				t.Fatalf("the callee has %q before any restart code: the test does not cut the path", got)
			}

			code, err := peers[starter].RestartCode(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("the %v's restart code: %s (%d characters)", starter, code, len(code))
			if !strings.HasPrefix(code, "pg3r.") || len(code) > 40 {
				t.Errorf("restart code %q: want a pg3r. code of at most 40 characters", code)
			}
			if _, err := peers[starter].ApplyRestartCode(ctx, code); !errors.Is(err, offline.ErrOwnRestartCode) {
				t.Errorf("a side took its own code: %v", err)
			}
			other := peers[1-starter]
			reply, err := other.ApplyRestartCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			if reply == "" {
				t.Fatal("the peer made no restart code in reply")
			}
			if again, err := peers[starter].ApplyRestartCode(ctx, reply); err != nil || again != "" {
				t.Fatalf("taking the reply: %q, %v; want no code more", again, err)
			}
			exchanged := time.Now()
			waitResumed(t, peers, [2]string{"during the outage, from the callee", "during the outage, from the caller"}, timeout)
			t.Logf("the chat resumed %v after the move, %v after the codes; restarts: caller %d, callee %d",
				time.Since(moved).Round(time.Millisecond), time.Since(exchanged).Round(time.Millisecond),
				peers[0].Restarts(), peers[1].Restarts())
			if d := time.Since(moved); d >= timeout {
				t.Errorf("the chat resumed %v after the move, past the timeout", d)
			}
			for _, np := range peers {
				if err := np.Send("after, from the " + np.opts.Role.String()); err != nil {
					t.Fatal(err)
				}
			}
			waitResumed(t, peers, [2]string{"after, from the callee", "after, from the caller"}, 10*time.Second)
		})
	}
}

// TestRestartCodeWaitsForThePerson has both sides make a restart code at
// once, and carry them for longer than the timeout: a side that made or
// took a code waits as long as a person may take.
func TestRestartCodeWaitsForThePerson(t *testing.T) {
	if testing.Short() {
		t.Skip("a call whose restart codes take longer than its timeout")
	}
	const timeout = 5 * time.Second
	p := newPath(t, 5*time.Millisecond)
	long := func(o *Options) { o.PasteWait = time.Minute }
	peers := [2]*netPeer{newNetPeer(t, Caller, p, nil, timeout, long), newNetPeer(t, Callee, p, nil, timeout, long)}
	connectOn(t, peers[0], peers[1])
	moved := bothMove(t, p, peers)
	if err := peers[0].Send("during the outage"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var codes [2]string
	for i, np := range peers {
		code, err := np.RestartCode(ctx)
		if err != nil {
			t.Fatal(err)
		}
		codes[i] = code
	}
	time.Sleep(timeout + 2*time.Second - time.Since(moved))
	for i, np := range peers {
		if _, err := np.ApplyRestartCode(ctx, codes[1-i]); err != nil {
			t.Fatalf("the %v took the peer's code: %v", np.opts.Role, err)
		}
	}
	if err := peers[1].Send("back"); err != nil {
		t.Fatal(err)
	}
	waitResumed(t, peers, [2]string{"back", "during the outage"}, 15*time.Second)
	t.Logf("the chat resumed %v after the move, with a timeout of %v", time.Since(moved).Round(time.Millisecond), timeout)
}

// TestApplyRestartCodeRefuses checks what a call does with a restart code
// that is not for it, and that one cannot be made before the call is up.
func TestApplyRestartCodeRefuses(t *testing.T) {
	caller := newPeer(t, Caller, nil, 10*time.Second)
	callee := newPeer(t, Callee, nil, 10*time.Second)
	ctx := context.Background()
	if _, err := caller.RestartCode(ctx); !errors.Is(err, ErrNotConnected) {
		t.Errorf("RestartCode before the call is up: %v, want ErrNotConnected", err)
	}
	connect(t, caller, callee)
	waitReady(t, "caller", caller)
	waitReady(t, "callee", callee)

	host := []string{"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"}
	otherCall, err := offline.EncodeRestart(offline.Restart{Call: []byte{1, 2, 3, 4}, Candidates: host})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, code string
		want       error
	}{
		{"another call's", otherCall, offline.ErrRestartMismatch},
		{"garbage", "hello, world", offline.ErrCorrupt},
		{"cut short", "pg3r.hello", offline.ErrTruncated},
		{"an offer", "pg4o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodT-cGn5bINhGgH8AAAGo0zheNI4", offline.ErrCorrupt},
	} {
		reply, err := callee.ApplyRestartCode(ctx, tt.code)
		if !errors.Is(err, tt.want) || reply != "" {
			t.Errorf("%s code: %q, %v; want %v", tt.name, reply, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s code: the error %q is not one line", tt.name, err)
		}
	}
	if got := callee.Restarts(); got != 0 {
		t.Errorf("the refused codes restarted ICE %d times", got)
	}
	if err := caller.Send("still here"); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, "callee", callee, "still here")
}
