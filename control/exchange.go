package control

import (
	"context"
	"fmt"
	"slices"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/offline"
)

// Exchange moves the offer and the answer between the session (Session,
// required here) and the peer, and tells the session what the peer is;
// say tells the person what that means, and what cannot be checked. It
// returns the offer, as the peer read or will read it.
func (c *Codes) Exchange(ctx context.Context, say func(format string, args ...any)) (offline.Signal, error) {
	s := c.opts.Session
	send := func(out offline.Signal) (offline.Signal, error) {
		sent, err := c.Send(ctx, out)
		c.opts.Trace.Mark(trace.CodeWritten)
		if c.opts.OnSent != nil {
			c.opts.OnSent()
		}
		return sent, err
	}
	receive := func(kind offline.Kind) (offline.Signal, error) {
		in, err := c.Receive(ctx, kind)
		c.opts.Trace.Mark(trace.CodeRead)
		return in, err
	}
	if c.opts.Role == call.Caller {
		desc, err := s.Offer(ctx)
		if err != nil {
			return offline.Signal{}, err
		}
		offer, err := send(offline.Signal{Kind: offline.Offer, SDP: desc.SDP, Pigeon: true})
		if err != nil {
			return offline.Signal{}, err
		}
		answer, err := receive(offline.Answer)
		if err != nil {
			return offline.Signal{}, err
		}
		setPeer(s, answer, say)
		return offer, AcceptAnswer(s, offer, answer, say)
	}
	offer, err := receive(offline.Offer)
	if err != nil {
		return offline.Signal{}, err
	}
	setPeer(s, offer, say)
	answer, err := s.Answer(ctx, Description(offer))
	if err != nil {
		return offline.Signal{}, err
	}
	// The answer names the offer, so that the caller can tell it from an
	// answer to another, and comes in the offer's form, which the caller
	// reads: JSON for JSON, SDP for SDP.
	c.answering = offer.Format
	_, err = send(offline.Signal{Kind: offline.Answer, SDP: answer.SDP, AnswersTo: offline.OfferDigest(offer), Pigeon: true})
	return offer, err
}

// setPeer tells the session what the peer is, as its code says: a pigeon's
// code, or JSON and SDP with pigeon's mark, come from a pigeon; anything
// else from another WebRTC program, which gets a plain chat. What that
// means for the call is said (PeerNotes).
func setPeer(s *call.Session, peer offline.Signal, say func(string, ...any)) {
	if peer.Pigeon {
		s.SetPeer(call.PeerPigeon)
	} else {
		s.SetPeer(call.PeerOther)
	}
	for _, note := range PeerNotes(peer) {
		say("%s", note)
	}
}

// PeerNotes says what a call with the maker of peer lacks when that is not
// a pigeon.
func PeerNotes(peer offline.Signal) []string {
	if peer.Pigeon {
		return nil
	}
	notes := []string{fmt.Sprintf("the peer's %s is not a pigeon's: the chat is plain text, with no names and no acknowledgements; "+
		"files, /restart and video added in the call need a pigeon", peer.Kind)}
	// A page that makes no data channel before its offer offers none.
	if !slices.ContainsFunc(offline.Inspect(peer).Media, func(m offline.Media) bool { return m.Kind == "application" && !m.Rejected }) {
		notes = append(notes, fmt.Sprintf("the peer's %s has no data channel: this call has media only, no chat", peer.Kind))
	}
	return notes
}
