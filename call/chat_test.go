package call

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pigeon-call/pigeon/internal/calltest"
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
	s, err := New(Options{Role: role, Interfaces: []string{"lo"}, Timeout: 10 * time.Second, Name: name})
	if err != nil {
		tb.Fatal(err)
	}
	p.Session = s
	tb.Cleanup(func() { s.Close() })
	s.OnPeerName(func(name string) { p.note("name " + name) })
	s.OnMessage(func(text string) {
		if reply != nil {
			reply(p.Session, text)
			return
		}
		p.note("message " + text)
		p.got <- text
	})
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
	calltest.Connect(tb, caller, callee)
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
	if got, want := caller.seen(), []string{`name bob\x1b[31m`, "message hi alice"}; !slices.Equal(got, want) {
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
		{"evil\x1b]0;title\x07name", `evil\x1b]0;title\x07name`},
		{"rtl\u202eoverride", `rtl\u202eoverride`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"zero\u200bwidth", "zerowidth"},
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

func TestLongMessagesArriveWhole(t *testing.T) {
	caller := newChatPeer(t, Caller, "a", nil)
	callee := newChatPeer(t, Callee, "b", nil)
	connectChat(t, caller, callee)
	texts := []string{
		strings.Repeat("日本語 ✓ ", 5000),     // 65 kB, over pion's 64 KiB message default
		strings.Repeat("x", 3<<20) + "end", // over SCTP's 1 MiB receive buffer
		"short, after the long ones",
		strings.Repeat("\x01\"quoted\"\\", 20000), // JSON makes it longer
	}
	for _, text := range texts {
		if err := caller.Send(text); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range texts {
		select {
		case got := <-callee.got:
			if got != want {
				t.Errorf("message %d: %d bytes arrived, want the %d sent, whole", i, len(got), len(want))
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("message %d of %d bytes did not arrive within 30 s", i, len(want))
		}
	}
	waitFor(t, "every part acknowledged", func() bool { return len(caller.Undelivered()) == 0 })
}

func TestSplitText(t *testing.T) {
	for _, tt := range []struct {
		text string
		n    int
		want []string
	}{
		{"", 4, []string{""}},
		{"abcd", 4, []string{"abcd"}},
		{"abcdefghi", 4, []string{"abcd", "efgh", "i"}},
		{"a日本", 4, []string{"a日", "本"}}, // never inside a rune
		{"\xff\xff\xff\xff\xff", 2, []string{"\xff\xff", "\xff\xff", "\xff"}},
	} {
		got := splitText(tt.text, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitText(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
	}
}

func TestUndeliveredJoinsParts(t *testing.T) {
	var o outbox
	long := strings.Repeat("y", maxPart*2+10)
	msgs := o.add("first")
	msgs = append(msgs, o.add(long)...)
	msgs = append(msgs, o.add("last")...)
	if len(msgs) != 5 || !msgs[1].More || !msgs[2].More || msgs[3].More {
		t.Fatalf("messages %+v: want the long text in three parts", len(msgs))
	}
	o.ack(msgs[0].ID)
	o.ack(msgs[1].ID) // the first part of the long text arrived
	got := o.undelivered()
	if len(got) != 2 || got[0] != long[maxPart:] || got[1] != "last" {
		t.Errorf("undelivered %d texts, want what did not arrive of the long one, and the last", len(got))
	}
}

func TestInboxJoinsParts(t *testing.T) {
	var in inbox
	if text, whole := in.join("alone", false); !whole || text != "alone" {
		t.Errorf("a text in one part: %q, %v", text, whole)
	}
	for _, part := range []string{"a", "b"} {
		if _, whole := in.join(part, true); whole {
			t.Fatal("whole before its last part")
		}
	}
	if text, whole := in.join("c", false); !whole || text != "abc" {
		t.Errorf("joined %q, %v; want abc", text, whole)
	}
	// A peer that never ends a text: what came is shown at maxJoined.
	part := strings.Repeat("z", maxPart)
	n := 0
	for {
		text, whole := in.join(part, true)
		n++
		if whole {
			if len(text) != maxJoined || n != maxJoined/maxPart {
				t.Errorf("shown after %d parts, %d bytes; want %d bytes", n, len(text), maxJoined)
			}
			break
		}
		if n > 2*maxJoined/maxPart {
			t.Fatal("never shown")
		}
	}
}

// FuzzChatMessage feeds the chat channel's decoder what a peer might send:
// it never panics, and what it accepts survives a round trip.
func FuzzChatMessage(f *testing.F) {
	f.Add([]byte(`{"type":"chat","id":1,"text":"hi"}`))
	f.Add([]byte(`{"type":"chat","id":2,"text":"part","more":true}`))
	f.Add([]byte(`{"type":"hello","name":"alice\u001b[31m"}`))
	f.Add([]byte(`{"type":"media","audio":true,"video":false}`))
	f.Add([]byte(`{"type":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMessage(data)
		if err != nil {
			return
		}
		again, err := m.marshal()
		if err != nil {
			t.Fatalf("%+v does not marshal: %v", m, err)
		}
		back, err := parseMessage(again)
		if err != nil || back.Type != m.Type || back.ID != m.ID || back.More != m.More || back.Name != m.Name {
			t.Fatalf("%+v came back as %+v, %v", m, back, err)
		}
		var in inbox
		in.join(m.Text, m.More)
		if name := CleanName(m.Name); utf8.RuneCountInString(name) > MaxNameLength {
			t.Fatalf("CleanName left %d runes", utf8.RuneCountInString(name))
		}
	})
}
