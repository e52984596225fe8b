package call

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/transfer"
)

// Peer is what a session knows of the program at the other end of the
// call, from the offer or answer it read: a pigeon speaks pigeon's chat,
// another WebRTC program plain text.
type Peer int

const (
	// PeerPigeon is another pigeon, or pigeon's web page. Both sides
	// declare the chat (id 0) and the negotiation channel (id 1) instead
	// of announcing them: they open as soon as SCTP is up, one round trip
	// sooner. The chat carries pigeon's JSON messages: acknowledged,
	// re-sent after a reconnection, with the peer's name and its goodbye.
	PeerPigeon Peer = iota
	// PeerOther is any other WebRTC program: a browser's page, pion's
	// examples. The chat is a channel announced in-band (DCEP, RFC 8832),
	// as such programs expect, and carries plain text. Nothing else is
	// told over the call: no name, no goodbye, no new media, no restart
	// code; the call ends when the peer closes it.
	PeerOther
)

// The labels of the channels pigeon makes and takes, all in one place.
// Between pigeons both sides declare the chat and the negotiation channel,
// and the peer opens only file transfers (transfer.Label, "pigeon-file"),
// which go to the OnDataChannel handler. A peer that is not a pigeon opens its
// chat, under any label: takesAsChat is that rule.
const (
	chatLabel      = "chat"      // the chat, declared on both sides between pigeons, announced otherwise
	negotiateLabel = "negotiate" // changes to the call, between pigeons (negotiate.go)

	// chatID and negotiateID are the ids both pigeons give their channels.
	chatID      = 0
	negotiateID = 1
)

// knownLabels are the labels of the data channels a session takes from a
// pigeon peer; a channel the peer opens with any other label is closed as
// it opens, so that a peer cannot keep streams and buffers open that
// nothing reads. pigeon's own chat and negotiation channels are declared by
// both sides and never announced; they are here for peers that open them
// all the same. A peer that is not a pigeon also has its chat taken, under
// any label (takesAsChat). A new kind of channel gets its label here.
var knownLabels = []string{
	chatLabel,
	negotiateLabel,
	transfer.Label, // a file or a directory
}

// SetPeer says what the peer is, as its offer or answer tells
// (offline.Signal's Pigeon): call it before Answer or Accept, which make
// the channels for that peer. A session that is not told takes its peer
// for a pigeon.
func (s *Session) SetPeer(p Peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peer = p
}

// Peer returns what the session takes its peer for.
func (s *Session) Peer() Peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peer
}

// openChannels makes this side's data channels for the peer the session
// has, before the peer's description is applied: SCTP, which opens them,
// starts only after that, so none is made while it starts. The offer needs
// no channel for its data section (AlwaysNegotiateDataChannels): the
// caller can wait for the answer to know which to make. It makes them once.
func (s *Session) openChannels() error {
	s.channelsOnce.Do(func() { s.channelsErr = s.makeChannels() })
	return s.channelsErr
}

func (s *Session) makeChannels() error {
	if s.Peer() == PeerOther {
		if s.opts.Role == Callee {
			return nil // the peer opens its own, as the caller of a call does
		}
		chat, err := s.pc.CreateDataChannel(chatLabel, nil)
		if err != nil {
			return fmt.Errorf("creating the chat channel: %w", err)
		}
		s.takeChat(chat, PeerOther)
		return nil
	}
	// pion keeps the pointers it is given: each channel has its own.
	negotiated, id := true, uint16(chatID)
	chat, err := s.pc.CreateDataChannel(chatLabel, &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id})
	if err != nil {
		return fmt.Errorf("creating the chat channel: %w", err)
	}
	s.takeChat(chat, PeerPigeon)
	negotiated2, id2 := true, uint16(negotiateID)
	dc, err := s.pc.CreateDataChannel(negotiateLabel, &webrtc.DataChannelInit{Negotiated: &negotiated2, ID: &id2})
	if err != nil {
		return fmt.Errorf("creating the negotiation channel: %w", err)
	}
	s.negotiator.attach(dc)
	return nil
}

// takeChat makes dc a chat channel of the session, speaking as peer does:
// with a pigeon the one both sides declare; otherwise the chat goes out on
// the first chat channel to open, and whatever comes in on any of them is
// shown.
func (s *Session) takeChat(dc *webrtc.DataChannel, peer Peer) {
	if peer == PeerPigeon {
		// The peer's messages can come in before this side is told the
		// channel is open, and some are answered at once (the safety
		// number's commitment).
		s.chat.Store(dc)
	}
	dc.OnOpen(func() {
		if peer == PeerOther && !s.chat.CompareAndSwap(nil, dc) {
			return
		}
		if peer == PeerPigeon {
			s.greet()
			s.startSafety()
		} else {
			// Another program knows nothing of the exchange: there is no
			// number to wait for.
			s.safety.finish("", ErrNoSafetyNumber)
		}
		close(s.open)
		s.tellOpen()
	})
	if peer == PeerPigeon {
		dc.OnMessage(s.onMessage)
		return
	}
	// Such a peer has no goodbye: it hangs up by closing the connection
	// (onState). Closing the chat is no hang-up: pion's reflect example
	// closes a channel it has no use for, and goes on with the call.
	dc.OnMessage(s.onPlainText)
}

// onDataChannel takes a channel the peer opened: the chat of a peer that
// is not a pigeon, and a channel of a known label for
// the OnDataChannel handler. It closes any other, and one nothing takes.
func (s *Session) onDataChannel(dc *webrtc.DataChannel) {
	switch {
	case s.takesAsChat(dc):
		s.takeChat(dc, PeerOther)
		return
	case !slices.Contains(knownLabels, dc.Label()):
		s.log.Warnf("%v: closed a data channel the peer opened with the label %q, which pigeon does not use", s.opts.Role, dc.Label())
	case s.hold.holding():
		// What arrived on it before it was handed on would be lost.
		s.log.Warnf("%v: closed a %q channel the peer opened while the call is held", s.opts.Role, dc.Label())
	case s.on.dataChannel.get() == nil:
		s.log.Warnf("%v: closed a %q channel the peer opened: nothing takes it", s.opts.Role, dc.Label())
	default:
		s.on.dataChannel.get()(dc)
		return
	}
	_ = dc.Close()
}

// takesAsChat is the rule for a peer that is not a pigeon: the first
// channel it opens is its chat, whatever its label ("chat", or the
// "sendChannel" of MDN's examples), and the chat goes out on it unless this
// side's own opened first. A pigeon's channels are never taken as chat: its
// chat is declared, not opened.
func (s *Session) takesAsChat(dc *webrtc.DataChannel) bool {
	if s.Peer() != PeerOther {
		return false
	}
	return s.peerChat.CompareAndSwap(false, true)
}

// onPlainText shows a message from a peer that is not a pigeon: text as it
// is, and binary messages that are text too. Anything else is no chat.
func (s *Session) onPlainText(msg webrtc.DataChannelMessage) {
	if !msg.IsString && !utf8.Valid(msg.Data) {
		return
	}
	s.tellMessage(string(msg.Data))
}

// peerHungUp ends the call as the peer's hang-up, told once.
func (s *Session) peerHungUp() {
	s.hangUpOnce.Do(func() {
		select {
		case <-s.done:
			return // ended before, for another reason
		default:
		}
		if f := s.on.hangUp.get(); f != nil {
			f()
		}
		s.end(nil)
	})
}
