package call

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/pionlog"
)

// TestRestartWithoutPathIsToldAndLogged cuts the path of a call that is
// up: each side's ICE restart finds no path, which its user is told (as
// the controller shows it) and which is in the log that -v shows, as an
// error. The call goes on looking, and comes back when the path does.
func TestRestartWithoutPathIsToldAndLogged(t *testing.T) {
	if testing.Short() {
		t.Skip("a call with a cut of several seconds")
	}
	p := newPath(t, 5*time.Millisecond)
	var peers [2]*netPeer
	var logs [2]*lines
	failed := [2]chan error{make(chan error, 4), make(chan error, 4)}
	for _, role := range []Role{Caller, Callee} {
		logs[role] = &lines{}
		peers[role] = newNetPeer(t, role, p, nil, 30*time.Second, func(o *Options) {
			o.LoggerFactory = pionlog.New(logs[role].add) // as -v has it: errors only
		})
		peers[role].OnError(func(err error) {
			select {
			case failed[role] <- err:
			default:
			}
		})
	}
	connectOn(t, peers[Caller], peers[Callee])
	peers[Caller].waitEvents(t, EventConnected)

	p.cut.Store(true)
	for _, role := range []Role{Caller, Callee} {
		select {
		case err := <-failed[role]:
			if !errors.Is(err, ErrRestartFailed) {
				t.Errorf("the %v was told %v, want ErrRestartFailed", role, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("the %v was never told its restart found no path; restarts: %d", role, peers[role].Restarts())
		}
		want := "ICE restart error: " + role.String() + ": " + ErrRestartFailed.Error()
		if !slices.ContainsFunc(logs[role].all(), func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("the %v's log has no line %q: %q", role, want, logs[role].all())
		}
	}
	peers[Caller].waitEvents(t, EventReconnecting)

	p.cut.Store(false)
	peers[Caller].waitEvents(t, EventReconnected)
	select {
	case <-peers[Caller].Done():
		t.Fatalf("the call ended: %v", peers[Caller].Wait())
	default:
	}
}

// lines collects log lines.
type lines struct {
	mu sync.Mutex
	l  []string
}

func (l *lines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.l = append(l.l, line)
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.l)
}
