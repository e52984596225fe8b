package call

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// After the first offer and answer, carried by hand, every change to the
// call (a track added) is negotiated over a data channel of its own, with no
// code to paste. Offers from both sides at once would collide; the perfect
// negotiation pattern resolves that by having the polite peer roll its offer
// back, but pion (v4.2.26 still) refuses a local rollback (have-local-offer to
// stable). So the polite peer, the callee, never offers: it asks the
// impolite caller for an offer, and says yes to its own changes in the
// answer. The caller always has an audio and a video m-section, so the
// callee's new tracks always have a place to go. Collisions cannot happen,
// and the same code runs on both sides.
//
// The callee's new track starts sending as soon as the callee sets its
// answer, before the caller has applied it. The caller's pion, finding a
// stream its description does not declare, would make a receiver of its
// own for it, and another once the answer declares it: the peer would get
// the track twice, each read by two readers. So a track the callee adds
// sends nothing until the caller says it has applied the answer (applied),
// or, from a peer that does not say so, appliedWait after the answer.
type negotiator struct {
	s      *Session
	dc     atomic.Pointer[webrtc.DataChannel] // none with a peer that is not a pigeon
	polite bool
	open   chan struct{}
	inbox  chan negotiation // the peer's messages, handled in order

	mu          sync.Mutex // one description at a time, in or out
	makingOffer bool
	wanted      bool // a change waits for the current exchange to end

	// beforeApply, when set, runs before a description from the peer is
	// applied: tests make the caller slow there.
	beforeApply func()

	gates sync.Mutex
	// The gates of the tracks the callee added (true lets one send):
	unanswered []*atomic.Bool // since the last answer
	answered   []*atomic.Bool // in answers the caller has not said it applied
}

// appliedWait is how long a track the callee added waits for the caller to
// say it applied the answer: a round trip does on any path that carries a
// call, and a peer that never says it loses only the first pictures.
const appliedWait = 2 * time.Second

// negotiation is one message on the negotiation channel.
type negotiation struct {
	Description *webrtc.SessionDescription `json:"description,omitempty"`
	OfferPlease bool                       `json:"offerPlease,omitempty"` // the callee has a change to agree on
	// Restart asks the peer to restart ICE as the sender did (restart.go).
	Restart bool `json:"restart,omitempty"`
	// Candidates are the sender's ICE candidates after its restart.
	Candidates []string `json:"candidates,omitempty"`
	// Applied says the caller has applied the callee's last answer.
	Applied bool `json:"applied,omitempty"`
	// Group is a message about the other people of the call (group.go).
	Group json.RawMessage `json:"group,omitempty"`
}

// decodeNegotiation reads a message from the peer's negotiation channel.
// Only offers and answers are negotiated; a group message is handed on as
// it came, so it must be a JSON object.
func decodeNegotiation(data []byte) (negotiation, error) {
	var m negotiation
	if err := json.Unmarshal(data, &m); err != nil {
		return negotiation{}, err
	}
	if d := m.Description; d != nil && d.Type != webrtc.SDPTypeOffer && d.Type != webrtc.SDPTypeAnswer {
		return negotiation{}, fmt.Errorf("a description that is neither an offer nor an answer (%s)", d.Type)
	}
	if len(m.Group) > 0 && m.Group[0] != '{' {
		if string(m.Group) != "null" {
			return negotiation{}, errors.New("a group message that is not a JSON object")
		}
		m.Group = nil
	}
	return m, nil
}

func newNegotiator(s *Session) *negotiator {
	n := &negotiator{s: s, polite: s.opts.Role == Callee, open: make(chan struct{}), inbox: make(chan negotiation, 16)}
	// Messages are handled one after the other, in the order they came.
	go func() {
		for {
			select {
			case m := <-n.inbox:
				switch {
				case m.Description != nil:
					n.receive(*m.Description)
				case m.OfferPlease:
					n.offer()
				case m.Applied:
					n.openAnswered()
				case m.Restart || len(m.Candidates) > 0:
					s.restarter.peerRestarted(m)
				case len(m.Group) > 0:
					s.receiveGroup(m.Group)
				}
			case <-s.done:
				return
			}
		}
	}()
	// Offers are made when pigeon itself changes something, not on pion's
	// negotiationneeded: pion raises that again and again for a side that
	// only receives a kind of media, and the two peers would renegotiate
	// forever.
	return n
}

// attach gives the negotiator its channel, with a peer that is a pigeon.
func (n *negotiator) attach(dc *webrtc.DataChannel) {
	n.dc.Store(dc)
	dc.OnOpen(func() {
		close(n.open)
		go n.offerWanted()
	})
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		m, err := decodeNegotiation(msg.Data)
		if err != nil {
			n.s.log.Warnf("%v: a message on the negotiation channel that is not one: %v", n.s.opts.Role, err)
			return
		}
		select {
		case n.inbox <- m:
		case <-n.s.done:
		}
	})
}

// offer makes and sends an offer for whatever changed. While another
// exchange is under way, or before the channel is open, the change waits
// and is offered when it can be.
func (n *negotiator) offer() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.wanted = true
	select {
	case <-n.open:
	default:
		return // offered when the channel opens
	}
	if n.makingOffer || n.s.pc.SignalingState() != webrtc.SignalingStateStable {
		return // offered when the current exchange ends
	}
	n.wanted = false
	if n.polite {
		n.send(negotiation{OfferPlease: true})
		return
	}
	n.makingOffer = true
	defer func() { n.makingOffer = false }()
	offer, err := n.s.pc.CreateOffer(nil)
	if err != nil {
		n.fail("creating an offer", err)
		return
	}
	n.sendComplete(offer)
}

// fail reports that a change to the call could not be negotiated: what
// this side was doing, and why.
func (n *negotiator) fail(doing string, err error) {
	n.s.fail(n.s.log, fmt.Errorf("%w: %s: %w", ErrRenegotiation, doing, err))
}

// offerWanted makes the offer a change has been waiting for, if any.
func (n *negotiator) offerWanted() {
	n.mu.Lock()
	wanted := n.wanted
	n.mu.Unlock()
	if wanted {
		n.offer()
	}
}

// receive applies a description from the peer, answering an offer.
func (n *negotiator) receive(desc webrtc.SessionDescription) {
	defer n.offerWanted() // a change of ours may have waited for this exchange
	n.mu.Lock()
	defer n.mu.Unlock()
	pc := n.s.pc
	if desc.Type == webrtc.SDPTypeOffer && (n.makingOffer || pc.SignalingState() != webrtc.SignalingStateStable) {
		// Only the caller offers, so this is a peer that offered anyway
		// while the caller did: the caller's own offer wins.
		return
	}
	if n.beforeApply != nil {
		n.beforeApply()
	}
	if err := pc.SetRemoteDescription(desc); err != nil {
		n.fail("applying the peer's "+desc.Type.String(), err)
		return
	}
	if desc.Type != webrtc.SDPTypeOffer {
		n.send(negotiation{Applied: true})
		return
	}
	n.gates.Lock()
	inAnswer := n.unanswered
	n.unanswered = nil
	n.gates.Unlock()
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		n.fail("answering the peer's offer", err)
	} else {
		n.sendComplete(answer)
	}
	n.answeredWith(inAnswer)
}

// gate returns track as the callee adds it: sending nothing until the
// caller has applied the answer that carries it. The caller's tracks need
// no gate: pion starts them once the caller has the callee's answer.
func (n *negotiator) gate(track webrtc.TrackLocal) webrtc.TrackLocal {
	if !n.polite {
		return track
	}
	open := &atomic.Bool{}
	n.gates.Lock()
	n.unanswered = append(n.unanswered, open)
	n.gates.Unlock()
	return holdBack(track, func() bool { return !open.Load() })
}

// answeredWith notes the gates of the tracks an answer just sent carries:
// the caller's applied opens them, or else appliedWait.
func (n *negotiator) answeredWith(gates []*atomic.Bool) {
	if len(gates) == 0 {
		return
	}
	n.gates.Lock()
	n.answered = append(n.answered, gates...)
	n.gates.Unlock()
	time.AfterFunc(appliedWait, func() {
		for _, open := range gates {
			open.Store(true)
		}
	})
}

// openAnswered lets the tracks of the answers sent so far send.
func (n *negotiator) openAnswered() {
	n.gates.Lock()
	defer n.gates.Unlock()
	for _, open := range n.answered {
		open.Store(true)
	}
	n.answered = nil
}

// sendComplete sets desc locally and sends it once gathering is done, so
// the peer gets every candidate in one message.
func (n *negotiator) sendComplete(desc webrtc.SessionDescription) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	complete, err := n.s.complete(ctx, desc)
	if err != nil {
		if !isDone(n.s.done) {
			n.fail("applying this side's "+desc.Type.String(), err)
		}
		return
	}
	n.send(negotiation{Description: &complete})
}

// send sends m as text, as the chat is sent: a browser hands a binary
// message to the page as a Blob, which is not JSON.
func (n *negotiator) send(m negotiation) {
	dc := n.dc.Load()
	if dc == nil {
		return // a peer that is not a pigeon: nothing to tell it by
	}
	data, err := json.Marshal(m)
	if err == nil {
		err = dc.SendText(string(data))
	}
	if err != nil && !isDone(n.s.done) {
		n.fail("telling the peer", err)
	}
}

// AddTrack sends one more local track; the peer is asked over the call, with
// no code to paste. In a call held for Options.Verify, the track sends
// nothing until the call is released, as the first tracks do. A peer that
// is not a pigeon cannot be asked: ErrPeerNotPigeon.
func (s *Session) AddTrack(track webrtc.TrackLocal) error {
	if s.Peer() == PeerOther {
		return fmt.Errorf("adding the %s track: %w", track.Kind(), ErrPeerNotPigeon)
	}
	if err := s.addTrack(s.negotiator.gate(s.hold.wrap(track))); err != nil {
		return fmt.Errorf("adding the %s track: %w", track.Kind(), err)
	}
	go s.negotiator.offer()
	return nil
}

// addTrack sends track on the transceiver of its kind that sends nothing
// yet, so that it takes an m-section the caller already offers; pion's own
// AddTrack would open a new m-section when the peer already sends on that
// one, and only an offer from this side could carry that.
func (s *Session) addTrack(track webrtc.TrackLocal) error {
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Kind() != track.Kind() || tr.Sender() != nil || tr.Mid() == "" {
			continue
		}
		sender, err := s.api.NewRTPSender(track, s.pc.SCTP().Transport())
		if err != nil {
			return err
		}
		return tr.SetSender(sender, track)
	}
	_, err := s.pc.AddTrack(track)
	return err
}

// ReplaceTrack sends track in place of the local track of its kind, with no
// negotiation, or stops sending that kind when track is nil (the camera
// turned off). With no track of that kind yet, it adds one. The session's
// own track (Options.Tracks) can be turned off and on at any time, before
// the call is up too: it then starts off.
func (s *Session) ReplaceTrack(kind webrtc.RTPCodecType, track webrtc.TrackLocal) error {
	var current webrtc.TrackLocal
	hasSender := false
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Kind() == kind && tr.Sender() != nil {
			current, hasSender = tr.Sender().Track(), true
			break
		}
	}
	if s.gate(kind, track, current, hasSender) {
		return nil
	}
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Kind() == kind && tr.Sender() != nil {
			if track == nil {
				return tr.Sender().ReplaceTrack(nil)
			}
			return tr.Sender().ReplaceTrack(s.hold.wrap(track))
		}
	}
	if track == nil {
		return nil
	}
	return s.AddTrack(track)
}
