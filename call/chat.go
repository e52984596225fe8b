package call

import (
	"cmp"
	"slices"
	"sync"
)

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
