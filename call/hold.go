package call

import (
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
// it (RemoteFingerprint).
//
// It works by wrapping the session's options before the session is made:
// the local tracks write nowhere, and the callbacks that would show the
// peer's media, name and chat keep what they are given. Once the user
// confirms, that is handed on and the tracks write again; if not, the call
// ends with the error Verify returned. The queue of chat is bounded
// (MaxHeldMessages, MaxHeldBytes): a peer that floods a held call gets the
// rest dropped, and the user is told how much (Options.OnChatDropped).
type hold struct {
	verify func(safetyNumber string) error

	released chan struct{} // closed once the user has confirmed
	once     sync.Once

	mu       sync.Mutex
	messages []string // the peer's chat messages, in order, while held
	bytes    int      // their length
	dropped  int      // messages past the bounds
	lost     int64    // their length
	name     string   // the peer's name, once given
	media    *[2]bool // the peer's last word on its microphone and camera

	// What the session's user asked to be told, told once released.
	onOpen    func()
	onMsg     func(string)
	onName    func(string)
	onMedia   func(audioOn, videoOn bool)
	onDropped func(messages int, bytes int64)
	onTrack   func(*webrtc.TrackRemote, *webrtc.RTPReceiver)

	session *Session // set by attach
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

// newHold wraps opts so that the call is held until opts.Verify says yes.
// It returns nil, and leaves opts as they are, without opts.Verify.
func newHold(opts *Options) *hold {
	if opts.Verify == nil {
		return nil
	}
	h := &hold{
		verify:    opts.Verify,
		released:  make(chan struct{}),
		onOpen:    opts.OnOpen,
		onMsg:     opts.OnMessage,
		onName:    opts.OnPeerName,
		onMedia:   opts.OnPeerMedia,
		onDropped: opts.OnChatDropped,
		onTrack:   opts.OnTrack,
	}
	tracks := make([]webrtc.TrackLocal, len(opts.Tracks))
	for i, t := range opts.Tracks {
		tracks[i] = h.wrap(t)
	}
	opts.Tracks = tracks
	opts.OnOpen = h.open
	opts.OnMessage = h.message
	// A name is shown with the peer's chat, so that one chosen by someone
	// in the middle is never seen.
	opts.OnPeerName = h.named
	opts.OnPeerMedia = h.peerMedia
	if opts.OnTrack != nil {
		opts.OnTrack = h.track
	}
	// A channel of the peer's own (a file) is refused until then: what
	// arrived on it before it was handed on would be lost.
	if onDC := opts.OnDataChannel; onDC != nil {
		opts.OnDataChannel = func(dc *webrtc.DataChannel) {
			if !h.isReleased() {
				_ = dc.Close()
				return
			}
			onDC(dc)
		}
	}
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
	if err := h.verify(number); err != nil {
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
		if name != "" && h.onName != nil {
			h.onName(name)
		}
		if media != nil && h.onMedia != nil {
			h.onMedia(media[0], media[1])
		}
		for _, text := range queued {
			if h.onMsg != nil {
				h.onMsg(text)
			}
		}
		if dropped > 0 && h.onDropped != nil {
			h.onDropped(dropped, lost)
		}
		if h.onOpen != nil {
			h.onOpen()
		}
		s := h.session
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

// message queues the peer's chat until the call is released, within the
// bounds; past them it only counts what it drops.
func (h *hold) message(text string) {
	h.mu.Lock()
	if !h.isReleased() {
		if len(h.messages) < MaxHeldMessages && h.bytes+len(text) <= MaxHeldBytes {
			h.messages = append(h.messages, text)
			h.bytes += len(text)
		} else {
			h.dropped++
			h.lost += int64(len(text))
		}
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	if h.onMsg != nil {
		h.onMsg(text)
	}
}

// named keeps the peer's name until the call is released.
func (h *hold) named(name string) {
	h.mu.Lock()
	if !h.isReleased() {
		h.name = name
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	if h.onName != nil {
		h.onName(name)
	}
}

// peerMedia keeps the peer's last word on its media until the call is
// released.
func (h *hold) peerMedia(audioOn, videoOn bool) {
	h.mu.Lock()
	if !h.isReleased() {
		h.media = &[2]bool{audioOn, videoOn}
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	if h.onMedia != nil {
		h.onMedia(audioOn, videoOn)
	}
}

// track throws away what a remote track brings until the call is released,
// then hands it on.
func (h *hold) track(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	if h.isReleased() {
		h.onTrack(t, r)
		return
	}
	go func() {
		buf := make([]byte, 1500)
		for !h.isReleased() {
			_ = t.SetReadDeadline(time.Now().Add(trackPoll))
			if _, _, err := t.Read(buf); err != nil && !isTimeout(err) {
				return // the track ended
			}
		}
		_ = t.SetReadDeadline(time.Time{})
		h.onTrack(t, r)
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
