package call

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// chatPeer is one side of a chat-only call on loopback, with what it saw.
type chatPeer struct {
	*Session
	mu     sync.Mutex
	events []string // "name NAME" and "message TEXT", in the order told
	got    chan string
}

func newChatPeer(tb testing.TB, role Role, name string, reply func(s *Session, text string)) *chatPeer {
	tb.Helper()
	p := &chatPeer{got: make(chan string, 16)}
	s, err := New(Options{
		Role:       role,
		Interfaces: []string{"lo"},
		Timeout:    10 * time.Second,
		Name:       name,
		OnPeerName: func(name string) { p.note("name " + name) },
		OnMessage: func(text string) {
			if reply != nil {
				reply(p.Session, text)
				return
			}
			p.note("message " + text)
			p.got <- text
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	p.Session = s
	tb.Cleanup(func() { s.Close() })
	return p
}

func (p *chatPeer) note(e string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
}

func (p *chatPeer) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.events)
}

// connectChat runs the exchange and waits for both chat channels to open.
func connectChat(tb testing.TB, caller, callee *chatPeer) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		tb.Fatal(err)
	}
	if err := caller.Accept(answer); err != nil {
		tb.Fatal(err)
	}
	for _, p := range []*chatPeer{caller, callee} {
		select {
		case <-p.Ready():
		case <-time.After(15 * time.Second):
			tb.Fatal("the chat channel did not open within 15 s")
		}
	}
}

func TestNamesComeBeforeTheFirstMessage(t *testing.T) {
	caller := newChatPeer(t, Caller, "  Alice \t Liddell ", nil)
	callee := newChatPeer(t, Callee, "bob\x1b[31m", nil)
	connectChat(t, caller, callee)
	if err := caller.Send("hello bob"); err != nil {
		t.Fatal(err)
	}
	if err := callee.Send("hi alice"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*chatPeer{caller, callee} {
		select {
		case <-p.got:
		case <-time.After(10 * time.Second):
			t.Fatal("a message did not arrive within 10 s")
		}
	}
	if got, want := callee.seen(), []string{"name Alice Liddell", "message hello bob"}; !slices.Equal(got, want) {
		t.Errorf("the callee was told %q, want %q", got, want)
	}
	if got, want := caller.seen(), []string{"name bob[31m", "message hi alice"}; !slices.Equal(got, want) {
		t.Errorf("the caller was told %q, want %q", got, want)
	}
}

func TestNoNameIsNotTold(t *testing.T) {
	caller := newChatPeer(t, Caller, "", nil)
	callee := newChatPeer(t, Callee, "", nil)
	connectChat(t, caller, callee)
	if err := caller.Send("anonymous"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-callee.got:
	case <-time.After(10 * time.Second):
		t.Fatal("the message did not arrive within 10 s")
	}
	if got, want := callee.seen(), []string{"message anonymous"}; !slices.Equal(got, want) {
		t.Errorf("the callee was told %q, want %q", got, want)
	}
}

func TestCleanName(t *testing.T) {
	long := "abcdefghij klmnopqrst uvwxyz0123 456789"
	tests := []struct{ in, want string }{
		{"alice", "alice"},
		{"  Alice   Liddell\n", "Alice Liddell"},
		{"日本 語", "日本 語"},
		{"evil\x1b]0;title\x07name", "evil]0;titlename"},
		{"rtl\u202eoverride", "rtloverride"},
		{"bad\xffutf8", "badutf8"},
		{"\t\n ", ""},
		{long, long[:32]},
		{long[:31] + " x", long[:31]},
	}
	for _, tt := range tests {
		if got := CleanName(tt.in); got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkChatRoundTrip sends a chat message from the caller to the
// callee, which answers it at once, between two sessions on loopback; it
// reports the median and 95th percentile of the time from sending to the
// answer's arrival.
func BenchmarkChatRoundTrip(b *testing.B) {
	caller := newChatPeer(b, Caller, "caller", nil)
	callee := newChatPeer(b, Callee, "callee", func(s *Session, text string) {
		go s.Send("re: " + text)
	})
	connectChat(b, caller, callee)
	// Warm up the path before timing it.
	for i := range 10 {
		caller.Send(fmt.Sprintf("warm-up %d", i))
		<-caller.got
	}
	var rtts []time.Duration
	for i := 0; b.Loop(); i++ {
		want := fmt.Sprintf("re: ping %d", i)
		start := time.Now()
		if err := caller.Send(fmt.Sprintf("ping %d", i)); err != nil {
			b.Fatal(err)
		}
		select {
		case got := <-caller.got:
			if got != want {
				b.Fatalf("got %q, want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			b.Fatal("no answer within 10 s")
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	micros := func(q float64) float64 {
		return float64(rtts[int(q*float64(len(rtts)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(micros(0.5), "median-us")
	b.ReportMetric(micros(0.95), "p95-us")
}
