package call

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pigeon-call/pigeon/console"
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
		_ = s.chat.Load().SendText(string(data)) // a failure here fails the chat too, and is told there
	}
}

// greeted hands on the name the peer gave, made fit to show.
func (s *Session) greeted(raw string) {
	name := CleanName(raw)
	if name != "" {
		s.tellPeerName(name)
	}
}

// CleanName makes a name fit to show in a chat line: what could steer a
// terminal or disguise the name (control characters, bidirectional
// overrides, invalid UTF-8) is written out visibly, as console.Escape
// writes it; other invisible format characters go; line breaks and runs of
// spaces become one space; and it is cut to MaxNameLength runes. It
// returns "" when nothing is left.
func CleanName(name string) string {
	name = console.Escape(name, console.KeepTabs|console.KeepLineBreaks)
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.TrimSpace(name) {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
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

// Long texts travel in parts: pion's SCTP reassembles a message only
// within its receive buffer (1 MiB), so a longer one would never arrive and
// would stall the channel behind it. Each part is a chat message of its own,
// numbered and acknowledged like any; all but the last say More. A pigeon
// that does not know More shows the parts one after the other.
const (
	// maxPart is the most bytes of text in one part: JSON may make it up
	// to six times longer, still far below the receive buffer.
	maxPart = 16 << 10
	// maxJoined bounds the text that parts are joined into, against a
	// peer that never sends the last part: what has come is shown then.
	maxJoined = 8 << 20
)

// splitText cuts text into parts of at most n bytes, between runes.
func splitText(text string, n int) []string {
	if len(text) <= n {
		return []string{text}
	}
	var parts []string
	for len(text) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if cut == 0 {
			cut = n // not UTF-8: cut anywhere
		}
		parts = append(parts, text[:cut])
		text = text[cut:]
	}
	return append(parts, text)
}

// outbox keeps each chat message until the peer acknowledges it, so that a
// message is re-sent after the connection comes back and, if the call ends
// first, the user is told it never arrived.
type outbox struct {
	// sending is held while a text's parts, or the re-sends after a
	// reconnection, go out: the peer must get them in order, unmixed.
	sending sync.Mutex

	mu      sync.Mutex
	last    uint64
	pending map[uint64]message
}

// add numbers text, in parts if it is long, and keeps the parts until
// acked; it returns them to send, in order.
func (o *outbox) add(text string) []message {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending == nil {
		o.pending = map[uint64]message{}
	}
	parts := splitText(text, maxPart)
	msgs := make([]message, len(parts))
	for i, part := range parts {
		o.last++
		msgs[i] = message{Type: typeChat, ID: o.last, Text: part, More: i < len(parts)-1}
		o.pending[o.last] = msgs[i]
	}
	return msgs
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
	for _, m := range o.pending {
		msgs = append(msgs, m)
	}
	slices.SortFunc(msgs, func(a, b message) int { return cmp.Compare(a.ID, b.ID) })
	return msgs
}

// undelivered returns the texts not wholly acknowledged, oldest first,
// each as much of it as did not arrive.
func (o *outbox) undelivered() []string {
	var texts []string
	joining := false
	for _, m := range o.unacked() {
		if joining {
			texts[len(texts)-1] += m.Text
		} else {
			texts = append(texts, m.Text)
		}
		joining = m.More
	}
	return texts
}

// inbox lets each message through once: the channel is ordered, so a
// message numbered at or below the highest seen is a copy re-sent after a
// reconnection. It joins the parts of a long text.
type inbox struct {
	mu      sync.Mutex
	highest uint64
	partial strings.Builder
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

// join adds one part of a text and reports the text once it is whole: at
// its last part, or at maxJoined bytes.
func (in *inbox) join(part string, more bool) (text string, whole bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !more && in.partial.Len() == 0 {
		return part, true
	}
	in.partial.WriteString(part)
	if more && in.partial.Len() < maxJoined {
		return "", false
	}
	text = in.partial.String()
	in.partial.Reset()
	return text, true
}
