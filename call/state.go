package call

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// The connection has one state machine, here: pion reports its
// connection's state, and the session makes of it what the call is (up
// for the first time, lost, back, given up on), ends the call when the
// connection does not come up or back in time, and tells each step to
// OnStateChange. What a person is told of a step is the front end's to
// say.

// Event is what a change of the connection means for the call.
type Event int

const (
	// EventNone is a change that means nothing new for the call: pion's
	// state moved (new, connecting, failed, closed), told for the logs.
	EventNone Event = iota
	// EventConnected: the connection came up for the first time.
	EventConnected
	// EventReconnecting: a call that was up lost its path, and looks for
	// it again for up to Options.Timeout. It is told once a loss: when the
	// peer stops responding, or when an ICE restart has not found the
	// path within reconnectingAfter.
	EventReconnecting
	// EventReconnected: the connection is back after a loss or a restart.
	EventReconnected
	// EventLost: the connection did not come back in time; the call ends
	// with ErrConnectionLost.
	EventLost
)

// StateChange is one change of the call's connection.
type StateChange struct {
	Event Event
	// State is pion's state of the connection after the change.
	State webrtc.PeerConnectionState
}

// reconnectingAfter is how long a connection that was up may be connecting
// again, after an ICE restart, before it is told as reconnecting: a
// restart that finds the path at once is no loss to speak of, and one that
// does not is the case where this side moved and the peer cannot find it.
const reconnectingAfter = 2 * time.Second

// link is the state of the connection, under the session's mu.
type link struct {
	connected bool        // it has been up at least once
	losing    bool        // it was up and is not now
	told      bool        // this loss was told (EventReconnecting)
	ups       int         // how many times it came up
	deadline  *time.Timer // ends the call unless the connection comes (back) up
}

// setDeadline ends the call with end unless the connection is up within d.
func (l *link) setDeadline(d time.Duration, end func()) {
	l.stopDeadline()
	l.deadline = time.AfterFunc(d, end)
}

func (l *link) stopDeadline() {
	if l.deadline != nil {
		l.deadline.Stop()
	}
}

// wasConnected reports whether the connection has been up.
func (s *Session) wasConnected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.link.connected
}

// expect ends the call with err unless the connection is up within d.
func (s *Session) expect(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.link.setDeadline(d, func() { s.end(err) })
}

// lose ends a call whose connection did not come back, and says so.
func (s *Session) lose() {
	if !isDone(s.done) {
		s.telling.Lock()
		s.tellState(StateChange{Event: EventLost, State: s.pc.ConnectionState()})
		s.telling.Unlock()
	}
	s.end(ErrConnectionLost)
}

func (s *Session) onState(state webrtc.PeerConnectionState) {
	s.telling.Lock()
	defer s.telling.Unlock()
	if (state == webrtc.PeerConnectionStateFailed || state == webrtc.PeerConnectionStateClosed) &&
		s.iceUp.Load() && !s.dtlsUp.Load() {
		// ICE reached the peer but the DTLS handshake never completed:
		// the certificates did not match. The failed handshake, or the
		// peer's reaction to it, may close the connection before the
		// DTLS failure itself is told: say why all the same.
		s.tellState(StateChange{State: state})
		s.end(ErrCertificateMismatch)
		return
	}
	s.mu.Lock()
	event := s.step(state)
	s.mu.Unlock()
	s.tellState(StateChange{Event: event, State: state})
}

// step moves the state machine on pion's state, with mu held, and returns
// what the change means for the call.
func (s *Session) step(state webrtc.PeerConnectionState) Event {
	l := &s.link
	switch state {
	case webrtc.PeerConnectionStateConnected:
		event := EventConnected
		if l.connected {
			// Back after an interruption: what was not acknowledged is
			// sent again, and the pictures lost meanwhile are replaced
			// by a keyframe instead of waiting for the next one.
			event = EventReconnected
			go s.resend()
			go s.requestKeyFrames()
		} else {
			go s.sampleRates()
		}
		l.connected, l.losing, l.told = true, false, false
		l.ups++
		l.stopDeadline()
		return event
	case webrtc.PeerConnectionStateDisconnected, webrtc.PeerConnectionStateConnecting:
		if !l.connected {
			return EventNone
		}
		if !l.losing {
			// It may come back by itself (a Wi-Fi blip), or after an ICE
			// restart (connecting again): give it Timeout from when it
			// was lost.
			l.losing = true
			l.setDeadline(s.opts.Timeout, s.lose)
		}
		if state == webrtc.PeerConnectionStateConnecting {
			ups := l.ups
			time.AfterFunc(reconnectingAfter, func() { s.stillLost(ups) })
			return EventNone
		}
		return s.reconnecting()
	case webrtc.PeerConnectionStateFailed:
		if l.connected {
			go s.lose()
		} else {
			go s.end(ErrConnectFailed)
		}
	case webrtc.PeerConnectionStateClosed:
		if s.peer == PeerOther {
			// How such a peer hangs up.
			go s.peerHungUp()
			break
		}
		// Closed by the peer (DTLS close) without a goodbye; when we close
		// it ourselves the call has already ended and this changes nothing.
		// A goodbye that came just before the close may still be on its
		// way through pion's goroutines: give it a moment to end the call
		// as a hang-up.
		go func() {
			select {
			case <-s.done:
			case <-time.After(byeGrace):
				s.end(ErrPeerClosed)
			}
		}()
	}
	return EventNone
}

// reconnecting returns EventReconnecting the first time a loss is told,
// with mu held, and EventNone after, or once the call has ended.
func (s *Session) reconnecting() Event {
	if s.link.told || !s.link.losing || isDone(s.done) {
		return EventNone
	}
	s.link.told = true
	return EventReconnecting
}

// stillLost tells the loss if the connection has not come up since it was
// up for the ups-th time.
func (s *Session) stillLost(ups int) {
	s.telling.Lock()
	defer s.telling.Unlock()
	s.mu.Lock()
	event := EventNone
	if s.link.ups == ups {
		event = s.reconnecting()
	}
	s.mu.Unlock()
	if event != EventNone {
		s.tellState(StateChange{Event: event, State: s.pc.ConnectionState()})
	}
}

// isDone reports whether done is closed.
func isDone(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}
