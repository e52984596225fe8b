package call

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// hold keeps a call's media and chat back until the user has confirmed the
// safety number (Options.Verify): nothing this side captures leaves it,
// nothing the peer sends is shown, until then. A call through someone in
// the middle is ended before either person has said a word to them.
// Options.Verify may also check the peer's certificate against a record of
// it (Verification.Fingerprint).
//
// The local tracks are wrapped as the session is made, so that they write
// nowhere; what the session would tell its handlers (handlers.go) is kept
// here instead. Once the user confirms, that is handed on and the tracks
// write again; if not, the call ends with the error Verify returned. The
// queue of chat is bounded (MaxHeldMessages, MaxHeldBytes): a peer that
// floods a held call gets the rest dropped, and the user is told how much
// (OnChatDropped).
type hold struct {
	verify func(context.Context, Verification) error

	released chan struct{} // closed once the user has confirmed
	once     sync.Once

	mu       sync.Mutex
	messages []string // the peer's chat messages, in order, while held
	bytes    int      // their length
	dropped  int      // messages past the bounds
	lost     int64    // their length
	name     string   // the peer's name, once given
	media    *[2]bool // the peer's last word on its microphone and camera

	session *Session // set by attach
}

// Verification is what Options.Verify decides on.
type Verification struct {
	// SafetyNumber is the call's safety number (see SafetyNumber), or ""
	// if the peer exchanged none.
	SafetyNumber string
	// Fingerprint is the SHA-256 fingerprint of the certificate the peer
	// presented, as RemoteFingerprint writes it.
	Fingerprint string
}

// How much of the peer's chat a held call keeps for the user to read once
// it is released: a person's worth of messages, and a long paste. Memory
// stays bounded however much the peer sends meanwhile.
const (
	MaxHeldMessages = 1000
	MaxHeldBytes    = 4 << 20
)

// trackPoll is how often a held remote track looks whether it may go on to
// OnTrack: the packets it reads meanwhile are thrown away.
const trackPoll = 100 * time.Millisecond

// newHold wraps opts' tracks so that the call is held until opts.Verify
// says yes. It returns nil, and leaves opts as they are, without
// opts.Verify.
func newHold(opts *Options) *hold {
	if opts.Verify == nil {
		return nil
	}
	h := &hold{verify: opts.Verify, released: make(chan struct{})}
	tracks := make([]webrtc.TrackLocal, len(opts.Tracks))
	for i, t := range opts.Tracks {
		tracks[i] = h.wrap(t)
	}
	opts.Tracks = tracks
	return h
}

// wrap returns t as a track that sends nothing while the call is held; a
// nil hold returns t itself.
func (h *hold) wrap(t webrtc.TrackLocal) webrtc.TrackLocal {
	if h == nil {
		return t
	}
	return holdBack(t, h.holding)
}

// attach tells the hold its session, which it asks for the safety number.
func (h *hold) attach(s *Session) {
	if h != nil {
		h.session = s
	}
}

// Holds reports whether the session holds its call until Options.Verify
// releases it.
func (s *Session) Holds() bool { return s.hold != nil }

// holding reports whether the call is still held. A nil hold never is.
func (h *hold) holding() bool { return h != nil && !h.isReleased() }

func (h *hold) isReleased() bool {
	select {
	case <-h.released:
		return true
	default:
		return false
	}
}

// open is told that the chat channel opened: DTLS is up and the safety
// number's exchange begins. It asks the user once the number is known, off
// pion's goroutine.
func (h *hold) open() { go h.ask() }

func (h *hold) ask() {
	s := h.session
	number, err := s.SafetyNumber()
	switch {
	case errors.Is(err, ErrNoSafetyNumber):
		number = "" // Verify decides what a call without one is worth
	case err != nil:
		return // the call ended meanwhile
	}
	fingerprint, err := s.RemoteFingerprint()
	if err != nil {
		s.end(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.done:
		case <-ctx.Done():
		}
		cancel()
	}()
	if err := h.verify(ctx, Verification{SafetyNumber: number, Fingerprint: fingerprint}); err != nil {
		s.end(err)
		return
	}
	h.release()
}

// release lets the call through: the chat that waited is shown, the chat
// this side typed meanwhile is sent, and the media flows.
func (h *hold) release() {
	h.once.Do(func() {
		h.mu.Lock()
		queued, name, media, dropped, lost := h.messages, h.name, h.media, h.dropped, h.lost
		h.messages = nil
		close(h.released)
		h.mu.Unlock()
		s := h.session
		if name != "" {
			s.tellPeerName(name)
		}
		if media != nil {
			s.tellPeerMedia(media[0], media[1])
		}
		for _, text := range queued {
			s.tellMessage(text)
		}
		if f := s.on.chatDropped.get(); dropped > 0 && f != nil {
			f(dropped, lost)
		}
		s.tellOpenNow()
		go s.resend()
		// Pictures sent while held were thrown away: the peer's decoder
		// needs a keyframe to start from.
		for _, r := range s.pc.GetReceivers() {
			for _, t := range r.Tracks() {
				if t.Kind() == webrtc.RTPCodecTypeVideo {
					s.RequestKeyFrame(t.SSRC())
				}
			}
		}
	})
}

// keepMessage queues the peer's chat while the call is held, within the
// bounds, and past them only counts what it drops. It reports whether it
// kept text back.
func (h *hold) keepMessage(text string) bool {
	return h.keep(func() {
		if len(h.messages) < MaxHeldMessages && h.bytes+len(text) <= MaxHeldBytes {
			h.messages = append(h.messages, text)
			h.bytes += len(text)
		} else {
			h.dropped++
			h.lost += int64(len(text))
		}
	})
}

// keep runs f with the hold's lock held while the call is held, and
// reports whether it did.
func (h *hold) keep(f func()) bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.isReleased() {
		return false
	}
	f()
	return true
}

// keepName keeps the peer's name while the call is held.
func (h *hold) keepName(name string) bool {
	return h.keep(func() { h.name = name })
}

// keepMedia keeps the peer's last word on its media while the call is
// held.
func (h *hold) keepMedia(audioOn, videoOn bool) bool {
	return h.keep(func() { h.media = &[2]bool{audioOn, videoOn} })
}

// track throws away what a remote track brings until the call is
// released, then hands it on.
func (h *hold) track(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	go func() {
		buf := make([]byte, 1500)
		for !h.isReleased() {
			_ = t.SetReadDeadline(time.Now().Add(trackPoll))
			if _, _, err := t.Read(buf); err != nil && !isTimeout(err) {
				return // the track ended
			}
		}
		_ = t.SetReadDeadline(time.Time{})
		h.session.tellTrackNow(t, r)
	}()
}

func isTimeout(err error) bool {
	te, ok := err.(interface{ Timeout() bool })
	return ok && te.Timeout()
}

// holdBack returns t as a track that sends nothing while held says so.
func holdBack(t webrtc.TrackLocal, held func() bool) webrtc.TrackLocal {
	return &heldTrack{TrackLocal: t, held: held, bound: map[string]webrtc.TrackLocalContext{}}
}

// heldTrack is a local track that sends nothing while held: it binds as
// the track it wraps does, but what that track writes then is dropped.
type heldTrack struct {
	webrtc.TrackLocal
	held func() bool

	mu    sync.Mutex
	bound map[string]webrtc.TrackLocalContext // pion's context ID to the one the track was given
}

func (t *heldTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	held := heldContext{TrackLocalContext: ctx, held: t.held}
	t.mu.Lock()
	t.bound[ctx.ID()] = held
	t.mu.Unlock()
	return t.TrackLocal.Bind(held)
}

func (t *heldTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	t.mu.Lock()
	held, ok := t.bound[ctx.ID()]
	delete(t.bound, ctx.ID())
	t.mu.Unlock()
	if !ok {
		held = ctx
	}
	return t.TrackLocal.Unbind(held)
}

// heldContext hands the track a writer that drops its packets while held.
type heldContext struct {
	webrtc.TrackLocalContext
	held func() bool
}

func (c heldContext) WriteStream() webrtc.TrackLocalWriter {
	return heldWriter{w: c.TrackLocalContext.WriteStream(), held: c.held}
}

type heldWriter struct {
	w    webrtc.TrackLocalWriter
	held func() bool
}

func (w heldWriter) WriteRTP(header *rtp.Header, payload []byte) (int, error) {
	if w.held() {
		return header.MarshalSize() + len(payload), nil
	}
	return w.w.WriteRTP(header, payload)
}

func (w heldWriter) Write(b []byte) (int, error) {
	if w.held() {
		return len(b), nil
	}
	return w.w.Write(b)
}
