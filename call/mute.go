package call

import (
	"sync"

	"github.com/pion/webrtc/v4"
)

// A local track of Options.Tracks is turned off and on by a gate that drops
// what it writes, not by taking it off its sender: pion sends on a sender
// only if it had a track when the connection came up, so a session turned
// off before that (a call joined while muted) could never be turned on.

// muting is the gate of each kind of the session's own tracks.
type muting struct {
	mu   sync.Mutex
	off  [3]bool              // by webrtc.RTPCodecType
	sent [3]webrtc.TrackLocal // the gated track pion was given
}

func (m *muting) isOff(kind webrtc.RTPCodecType) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.off[kind%3]
}

// gated returns t, one of Options.Tracks, as it goes to pion: behind the
// gate of its kind.
func (s *Session) gated(t webrtc.TrackLocal) webrtc.TrackLocal {
	kind := t.Kind()
	g := holdBack(t, func() bool { return s.muting.isOff(kind) })
	s.muting.mu.Lock()
	s.muting.sent[kind%3] = g
	s.muting.mu.Unlock()
	return g
}

// ownTrack returns the track of kind of Options.Tracks, or nil.
func (s *Session) ownTrack(kind webrtc.RTPCodecType) webrtc.TrackLocal {
	for _, t := range s.opts.Tracks {
		if t.Kind() == kind {
			return t
		}
	}
	return nil
}

// gate turns the session's own track of kind off (track nil) or on again
// (track is that track), and reports whether it did: false for another
// track, or once the sender has been given one in its place.
func (s *Session) gate(kind webrtc.RTPCodecType, track webrtc.TrackLocal, current webrtc.TrackLocal, hasSender bool) bool {
	own := s.ownTrack(kind)
	if own == nil || (track != nil && unwrap(own) != track) {
		return false
	}
	m := &s.muting
	m.mu.Lock()
	defer m.mu.Unlock()
	sent := m.sent[kind%3]
	switch {
	case sent == nil && hasSender:
		return false // a sender of another track
	case sent != nil && current != sent:
		return false // replaced by another track
	}
	m.off[kind%3] = track == nil
	return true
}

// unwrap returns the track a held or gated track wraps.
func unwrap(t webrtc.TrackLocal) webrtc.TrackLocal {
	for {
		h, ok := t.(*heldTrack)
		if !ok {
			return t
		}
		t = h.TrackLocal
	}
}
