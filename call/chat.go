package call

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the most runes of a name that the peer is told, and that
// are taken from the peer.
const MaxNameLength = 32

// greet tells the peer this side's name as the chat channel opens, before
// Send can send anything, so that the name comes before any message.
func (s *Session) greet() {
	if s.opts.Name == "" {
		return
	}
	if data, err := (message{Type: typeHello, Name: CleanName(s.opts.Name)}).marshal(); err == nil {
		_ = s.chat.SendText(string(data)) // a failure here fails the chat too, and is told there
	}
}

// greeted hands on the name the peer gave, made fit to show.
func (s *Session) greeted(raw string) {
	name := CleanName(raw)
	if name == "" || s.opts.OnPeerName == nil {
		return
	}
	s.opts.OnPeerName(name)
}

// CleanName makes a name fit to show in a chat line: invalid UTF-8,
// control and format characters, and line breaks go, runs of spaces become
// one, and it is cut to MaxNameLength runes. It returns "" when nothing is
// left.
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.TrimSpace(name) {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			continue
		}
		gap := space && n > 0
		if n+1 > MaxNameLength || gap && n+2 > MaxNameLength {
			break
		}
		if gap {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// outbox keeps each chat message until the peer acknowledges it, so that a
// message is re-sent after the connection comes back and, if the call ends
// first, the user is told it never arrived.
type outbox struct {
	mu      sync.Mutex
	last    uint64
	pending map[uint64]string
}

// add numbers text and keeps it until acked.
func (o *outbox) add(text string) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending == nil {
		o.pending = map[uint64]string{}
	}
	o.last++
	o.pending[o.last] = text
	return o.last
}

func (o *outbox) ack(id uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.pending, id)
}

// unacked returns the messages not yet acknowledged, oldest first.
func (o *outbox) unacked() []message {
	o.mu.Lock()
	defer o.mu.Unlock()
	msgs := make([]message, 0, len(o.pending))
	for id, text := range o.pending {
		msgs = append(msgs, message{Type: typeChat, ID: id, Text: text})
	}
	slices.SortFunc(msgs, func(a, b message) int { return cmp.Compare(a.ID, b.ID) })
	return msgs
}

// inbox lets each message through once: the channel is ordered, so a
// message numbered at or below the highest seen is a copy re-sent after a
// reconnection.
type inbox struct {
	mu      sync.Mutex
	highest uint64
}

func (in *inbox) first(id uint64) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if id != 0 && id <= in.highest {
		return false
	}
	in.highest = max(in.highest, id)
	return true
}
