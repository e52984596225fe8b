package call

import (
	"sync/atomic"

	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// A session tells its user what happens through handlers registered after
// New, as pion's PeerConnection does (OnTrack, OnMessage...): the user can
// make what the handlers feed (a view, a controller) with the session in
// hand. Register them before Offer or Answer: from then on the peer can
// send, and chat messages can come before the chat is told open. Each On
// method replaces the handler it registered before; none blocks the
// session for long, or it holds up pion's goroutines.

// handler holds the function one On method registered.
type handler[F any] struct{ f atomic.Pointer[F] }

func (h *handler[F]) set(f F) { h.f.Store(&f) }

// get returns the function registered, or nil.
func (h *handler[F]) get() (f F) {
	if p := h.f.Load(); p != nil {
		f = *p
	}
	return f
}

// handlers are what a session's user asked to be told.
type handlers struct {
	state       handler[func(StateChange)]
	open        handler[func()]
	message     handler[func(string)]
	peerName    handler[func(string)]
	peerMedia   handler[func(audioOn, videoOn bool)]
	chatDropped handler[func(messages int, bytes int64)]
	hangUp      handler[func()]
	dataChannel handler[func(*webrtc.DataChannel)]
	track       handler[func(*webrtc.TrackRemote, *webrtc.RTPReceiver)]
	bitRate     handler[func(bitsPerSecond int)]
	failure     handler[func(error)]
}

// OnStateChange registers f to be told each change of the connection:
// pion's state, and what the session's state machine makes of it
// (connected, reconnecting, reconnected, lost).
func (s *Session) OnStateChange(f func(StateChange)) { s.on.state.set(f) }

// OnOpen registers f to be told when the chat channel opens and Send
// starts to work; in a call held for Options.Verify, once it is released.
func (s *Session) OnOpen(f func()) { s.on.open.set(f) }

// OnMessage registers f to be told each chat message from the peer.
func (s *Session) OnMessage(f func(text string)) { s.on.message.set(f) }

// OnPeerName registers f to be told the name the peer gave, before any of
// its chat messages; a peer that gives none (an older pigeon, a browser)
// never is. In a call held for Options.Verify, it is told once the call
// is released.
func (s *Session) OnPeerName(f func(name string)) { s.on.peerName.set(f) }

// OnPeerMedia registers f to be told when the peer turns its microphone or
// camera on or off, so the user can see it.
func (s *Session) OnPeerMedia(f func(audioOn, videoOn bool)) { s.on.peerMedia.set(f) }

// OnChatDropped registers f to be told, as a call held for Options.Verify
// is released, how many of the peer's chat messages, and how many bytes,
// arrived past what the hold keeps (MaxHeldMessages, MaxHeldBytes) and
// were dropped unread. It is not told when none were.
func (s *Session) OnChatDropped(f func(messages int, bytes int64)) { s.on.chatDropped.set(f) }

// OnHangUp registers f to be told when the peer hangs up.
func (s *Session) OnHangUp(f func()) { s.on.hangUp.set(f) }

// OnDataChannel registers f to be handed each data channel the peer opens
// beyond pigeon's own (a file transfer, say), if its label is one pigeon
// uses (channels.go). Without a handler, or while the call is held, such
// channels are closed.
func (s *Session) OnDataChannel(f func(*webrtc.DataChannel)) { s.on.dataChannel.set(f) }

// OnTrack registers f to be handed each remote track as it starts. It
// must read the track until it returns an error, in its own goroutine if
// it blocks. Without a handler the tracks are read and thrown away.
func (s *Session) OnTrack(f func(*webrtc.TrackRemote, *webrtc.RTPReceiver)) { s.on.track.set(f) }

// OnTargetBitRate registers f to be told each new estimate of the bit
// rate the video should use; the video encoder should follow it.
func (s *Session) OnTargetBitRate(f func(bitsPerSecond int)) { s.on.bitRate.set(f) }

// OnError registers f to be told what went wrong without ending the call:
// a change to the call (a track added) that could not be negotiated, an
// ICE restart that failed. Each is in the session's log too, under the
// scope "call" or "restart".
func (s *Session) OnError(f func(error)) { s.on.failure.set(f) }

// fail logs err, under the scope of log, and tells it to OnError. It is
// logged as an error, which pion's loggers show unless told otherwise.
func (s *Session) fail(log logging.LeveledLogger, err error) {
	log.Errorf("%v: %v", s.opts.Role, err)
	if f := s.on.failure.get(); f != nil {
		f(err)
	}
}

// What the session tells goes through these, which a hold (hold.go) keeps
// back until the user has confirmed the safety number.

func (s *Session) tellOpen() {
	if s.hold != nil {
		s.hold.open()
		return
	}
	s.tellOpenNow()
}

func (s *Session) tellOpenNow() {
	if f := s.on.open.get(); f != nil {
		f()
	}
	s.openGroup()
}

func (s *Session) tellMessage(text string) {
	if s.hold.keepMessage(text) {
		return
	}
	if f := s.on.message.get(); f != nil {
		f(text)
	}
}

func (s *Session) tellPeerName(name string) {
	// A name is shown with the peer's chat, so that one chosen by someone
	// in the middle is never seen.
	if s.hold.keepName(name) {
		return
	}
	if f := s.on.peerName.get(); f != nil {
		f(name)
	}
}

func (s *Session) tellPeerMedia(audioOn, videoOn bool) {
	if s.hold.keepMedia(audioOn, videoOn) {
		return
	}
	if f := s.on.peerMedia.get(); f != nil {
		f(audioOn, videoOn)
	}
}

func (s *Session) tellTrack(track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	if s.hold.holding() {
		s.hold.track(track, receiver)
		return
	}
	s.tellTrackNow(track, receiver)
}

func (s *Session) tellTrackNow(track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	if f := s.on.track.get(); f != nil {
		f(track, receiver)
		return
	}
	// Nobody wants the media: drain it so pion's buffers do not fill.
	go drain(track)
}

func (s *Session) tellState(c StateChange) {
	if f := s.on.state.get(); f != nil {
		f(c)
	}
}

// tellBitRate is made before the session, for the congestion controller.
func (h *handlers) tellBitRate(bps int) {
	if f := h.bitRate.get(); f != nil {
		f(bps)
	}
}
