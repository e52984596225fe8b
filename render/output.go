package render

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/apm"
	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/render/picture"
	"github.com/pigeon-call/pigeon/render/speaker"
	"github.com/pigeon-call/pigeon/render/termview"
	"github.com/pigeon-call/pigeon/render/webmwriter"
	"github.com/pigeon-call/pigeon/render/window"
)

// Names of the files a recording writes in its directory.
const (
	VideoFile = "video.ivf"
	AudioFile = "audio.ogg"
)

// View says where remote video is shown.
type View string

// The views.
const (
	ViewNone     View = "none"     // nowhere: the video is still decoded and counted
	ViewWindow   View = "window"   // a desktop window
	ViewTerminal View = "terminal" // the terminal, in true-colour half blocks
)

// Speaker names with a special meaning.
const (
	SpeakerNone = "none"       // play no sound
	SpeakerNull = speaker.Null // miniaudio's null device: real-time pacing, no sound; for tests and benchmarks
)

// Track is a remote track as pion delivers it; *webrtc.TrackRemote is one.
type Track interface {
	Kind() webrtc.RTPCodecType
	Codec() webrtc.RTPCodecParameters
	ReadRTP() (*rtp.Packet, interceptor.Attributes, error)
}

// Options says where remote media goes. The zero value decodes and counts
// the video, plays the sound on the default speaker and records nothing.
type Options struct {
	// RecordDir, when set, receives the video as VideoFile and the audio as
	// AudioFile; in a call with several peers, the first peer's, and each
	// other's as video-ID.ivf and audio-ID.ogg, ID its Peer's.
	RecordDir string
	// RecordFile, when set, receives both in one WebM file: the first
	// peer's, in a call with several.
	RecordFile string

	// View is where the remote video is shown; "" is ViewNone.
	View View
	// Terminal and TerminalSize are the terminal of ViewTerminal: where to
	// write, and its size in character cells (asked before each frame, so a
	// resize is followed). render never opens a terminal itself.
	Terminal     io.Writer
	TerminalSize func() (cols, rows int)
	// TerminalRows is how many rows at the bottom of the terminal are left
	// to the caller's lines (chat, status); termview.DefaultReserve unless
	// set.
	TerminalRows int
	// TerminalFPS bounds the terminal's redraws; termview.DefaultMaxFPS
	// unless set.
	TerminalFPS float64

	// Speaker picks the playback device: "" for the system's default, a
	// part of a device's name or its ID as Speakers lists them, SpeakerNone
	// or SpeakerNull.
	Speaker string
	// FarEnd, if set, is handed what the speaker plays, as it plays it:
	// the far end the microphone's echo canceller removes
	// (capture.Options.FarEnd).
	FarEnd *apm.FarEnd

	// RequestKeyFrame is called when the video decoder cannot go on from
	// what it has (at the start, after a loss or a decoding error), to ask
	// the peer for a keyframe on that stream; call.Session.RequestKeyFrame
	// does that. Calls are spaced at least KeyFrameInterval apart.
	RequestKeyFrame func(ssrc webrtc.SSRC)

	// OnKey is told each key pressed in the window ('m', 'v', 'f', 'q'...);
	// OnClose when the user closes the window. They run on a goroutine of
	// the window's and may call the Output's methods. Output.OnKey and
	// Output.OnClose register them once the Output is made.
	OnKey   func(key rune)
	OnClose func()

	// OnVideoFrame, if set, is handed each decoded picture, on the decoding
	// goroutine as soon as it is decoded (for a benchmark that reads a
	// timestamp drawn into the picture, say). The picture is the decoder's
	// and good until OnVideoFrame returns: copy what you keep, and change
	// nothing.
	OnVideoFrame func(img *image.YCbCr)

	// Warn is told of problems that do not stop the call, such as a machine
	// without sound; nil ignores them.
	Warn func(err error)

	// pcmTap, in tests, is handed what the speaker plays.
	pcmTap func(pcm []int16)
}

// KeyFrameInterval is the least time between two keyframe requests.
const KeyFrameInterval = 500 * time.Millisecond

// view is what a window and a terminal view both do.
type view interface {
	ShowRemote(img image.Image)
	ShowPeer(id string, img image.Image)
	SetLabel(id, label string)
	RemovePeer(id string)
	ShowLocal(img image.Image)
	SetStatus(line string)
	Close() error
}

// Peer says whom a track comes from, in a call with several peers: ID is
// the caller's name for the peer, unique in the call; Name is what its tile
// is labelled with. The zero Peer is the one peer of a two-person call.
type Peer struct {
	ID   string
	Name string
}

// peerState is what the output knows of a peer with an ID.
type peerState struct {
	tracks, videos int // playing
}

// Output receives the remote tracks of one call.
type Output struct {
	opts Options
	view view
	win  *window.Window // the view, when it is a window

	mu          sync.Mutex
	tracks      []*trackState
	sinks       []io.Closer
	webm        *webmwriter.Writer
	recStart    time.Time // the first recorded media's arrival: the WebM's time zero
	status      string
	speaker     *speaker.Speaker
	peers       map[string]*peerState // the peers with tracks playing, by ID
	names       map[string]string     // the peers' names, by ID
	leftOutSaid bool                  // the WebM recording's left-out track was said
	// The peer recorded under the plain names, and in the WebM file: the
	// first whose track played. Others' files carry their IDs; the WebM
	// file holds one peer.
	recPeer, webmPeer *string
	othersSaid        bool
	closed            bool
	crispFor          image.Image // the last QR code ShowPreview showed, and
	crisp             *image.RGBA // it scaled up

	done     chan struct{}
	statusWG sync.WaitGroup

	speakerOnce sync.Once // the first audio track opens the speaker
	mix         mixer     // what the speaker plays: every audio track's sound

	// spare is a VP8 decoder made as the output opens, for the first
	// video track (see playVideo).
	spare chan spareDecoder

	// peerShown is set once the peer's video is shown: a preview (see
	// ShowPreview) no longer takes its place.
	peerShown atomic.Bool
	// previewing is set while a preview shows: the self-view is hidden.
	previewing atomic.Bool

	onKey   atomic.Pointer[func(rune)]
	onClose atomic.Pointer[func()]
}

// OnKey registers f to be told each key pressed in the window, in place
// of Options.OnKey: what the keys act on can be made with the Output in
// hand.
func (o *Output) OnKey(f func(key rune)) { o.onKey.Store(&f) }

// OnClose registers f to be told when the user closes the window, in
// place of Options.OnClose.
func (o *Output) OnClose(f func()) { o.onClose.Store(&f) }

func (o *Output) key(k rune) {
	if f := o.onKey.Load(); f != nil && *f != nil {
		(*f)(k)
	}
}

func (o *Output) windowClosed() {
	if f := o.onClose.Load(); f != nil && *f != nil {
		(*f)()
	}
}

// New prepares an output: it creates the recording's directory or file and
// opens the view. The speaker opens when the first audio track plays.
func New(opts Options) (*Output, error) {
	o := &Output{opts: opts, done: make(chan struct{}), spare: make(chan spareDecoder, 1),
		peers: map[string]*peerState{}, names: map[string]string{}}
	o.OnKey(opts.OnKey)
	o.OnClose(opts.OnClose)
	if opts.RecordDir != "" {
		if err := os.MkdirAll(opts.RecordDir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the recording directory: %w", err)
		}
	}
	if opts.RecordFile != "" {
		f, err := private.Create(opts.RecordFile)
		if err != nil {
			return nil, fmt.Errorf("creating the recording: %w", err)
		}
		w, err := webmwriter.NewWith(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("creating the recording: %w", err)
		}
		o.webm = w
		o.sinks = append(o.sinks, w)
	}

	var err error
	switch opts.View {
	case ViewNone, "":
	case ViewWindow:
		o.win, err = window.Open(window.Options{Title: "pigeon", OnKey: o.key, OnClose: o.windowClosed})
		if err == nil {
			o.view = o.win
		}
	case ViewTerminal:
		if opts.Terminal == nil || opts.TerminalSize == nil {
			err = ErrNoTerminal
			break
		}
		o.view = termview.New(termview.Options{Out: opts.Terminal, Size: opts.TerminalSize,
			Reserve: opts.TerminalRows, MaxFPS: opts.TerminalFPS})
	default:
		err = fmt.Errorf("%w %q: use %s, %s or %s", ErrUnknownView, opts.View, ViewWindow, ViewTerminal, ViewNone)
	}
	if err != nil {
		o.closeSinks()
		if opts.RecordFile != "" {
			os.Remove(opts.RecordFile) // empty: nothing was recorded
		}
		return nil, fmt.Errorf("opening the %s view: %w", opts.View, err)
	}
	if o.view != nil {
		o.statusWG.Add(1)
		go o.updateStatus()
	}
	go o.makeSpareDecoder()
	return o, nil
}

// DisplayAvailable reports whether a window could open here: a display is
// named in the environment.
func DisplayAvailable() bool { return window.Available() }

// Speakers lists the playback devices, for a person to pick one.
func Speakers() ([]speaker.Device, error) { return speaker.Devices() }

// Play reads track until it ends: it decodes and shows or plays it, records
// it and counts it. It returns nil when the track ends normally. Each track
// plays on its own goroutine. It is PlayPeer for the one peer of a
// two-person call, whose picture fills the view from the first one on.
func (o *Output) Play(track Track) error { return o.PlayPeer(Peer{}, track) }

// PlayPeer plays track as Play does, as one of peer's, in a call with
// several peers: the peer has a tile in the view from its first track on,
// labelled with its name, its video in it; its sound is mixed with the
// others' on the speaker; its tracks' Stats carry its ID. The tile goes
// once the peer's last track ends (the peer left), and its picture once
// its last video track does.
func (o *Output) PlayPeer(peer Peer, track Track) error {
	codec := track.Codec()
	video := strings.EqualFold(codec.MimeType, webrtc.MimeTypeVP8)
	ts := &trackState{stats: Stats{Kind: track.Kind(), MimeType: codec.MimeType, Peer: peer.ID}, clockRate: codec.ClockRate,
		peer: peer.ID}
	rec, err := o.recorderFor(track, peer.ID)
	if err != nil {
		return err
	}
	ts.rec = rec
	o.mu.Lock()
	o.tracks = append(o.tracks, ts)
	o.mu.Unlock()
	if peer.ID != "" {
		o.peerJoined(peer, video)
		defer o.peerTrackEnded(peer.ID, video)
	}

	switch {
	case video:
		return o.playVideo(track, ts)
	case strings.EqualFold(codec.MimeType, webrtc.MimeTypeOpus):
		return o.playAudio(track, ts)
	}
	return o.read(track, ts, func(*rtp.Packet, time.Time) {}) // counted, nothing more
}

// NamePeer sets the name the tile of the peer id is labelled with: a name
// learnt after its tracks came (the chat says it), or one that changed.
func (o *Output) NamePeer(id, name string) {
	o.mu.Lock()
	o.names[id] = name
	_, shown := o.peers[id]
	closed := o.closed
	o.mu.Unlock()
	if shown && !closed && o.view != nil {
		o.view.SetLabel(id, name)
	}
}

// peerJoined counts a track of peer's that starts, and gives the peer its
// tile with its first.
func (o *Output) peerJoined(peer Peer, video bool) {
	o.mu.Lock()
	p, known := o.peers[peer.ID]
	if !known {
		p = &peerState{}
		o.peers[peer.ID] = p
		if peer.Name != "" {
			o.names[peer.ID] = peer.Name
		}
	}
	p.tracks++
	if video {
		p.videos++
	}
	name, closed := o.names[peer.ID], o.closed
	o.mu.Unlock()
	if known || closed || o.view == nil {
		return
	}
	if o.win != nil && !o.peerShown.Swap(true) && o.previewing.Load() {
		// The call is up: the preview's codes are done with.
		o.win.ShowRemote(nil)
	}
	o.view.SetLabel(peer.ID, name)
	o.view.ShowPeer(peer.ID, nil)
}

// peerTrackEnded counts a track of the peer id's that ended: with its last
// video its picture goes, with its last track its tile.
func (o *Output) peerTrackEnded(id string, video bool) {
	o.mu.Lock()
	p := o.peers[id]
	p.tracks--
	if video {
		p.videos--
	}
	gone, noVideo := p.tracks == 0, video && p.videos == 0
	if gone {
		delete(o.peers, id)
	}
	closed := o.closed
	o.mu.Unlock()
	if closed || o.view == nil {
		return
	}
	switch {
	case gone:
		o.view.RemovePeer(id)
	case noVideo:
		o.view.ShowPeer(id, nil)
	}
}

// read reads track until it ends, counting and recording each packet before
// handing it to use.
func (o *Output) read(track Track, ts *trackState, use func(pkt *rtp.Packet, at time.Time)) error {
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		now := time.Now()
		if err := o.take(ts, pkt, now); err != nil {
			return fmt.Errorf("recording %s: %w", ts.stats.Kind, err)
		}
		use(pkt, now)
	}
}

// take counts pkt and writes it to the track's RTP recording, unless the
// output is closed.
func (o *Output) take(ts *trackState, pkt *rtp.Packet, now time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ts.count(pkt, now)
	if ts.rec == nil || o.closed {
		return nil
	}
	return ts.rec.WriteRTP(pkt)
}

// ShowLocal shows img, a picture of the local camera, as the self-view; nil
// hides it. It copies what it keeps, so the camera may reuse img, and does
// nothing without a view or once the output is closed. It suits
// capture.Media.Preview.
func (o *Output) ShowLocal(img image.Image) {
	if o.view == nil {
		return
	}
	select {
	case <-o.done:
		return
	default:
	}
	switch {
	case o.previewing.Load():
		// The preview shows the camera meanwhile.
	case img == nil:
		o.view.ShowLocal(nil)
	default:
		o.view.ShowLocal(selfViewFrame(img))
	}
}

// selfViewFrame copies a camera frame for the self-view, at most 320x240:
// a corner needs no more, even on a high-density screen, and each frame
// copied at full size would be four times the bytes to allocate and draw.
// A 4:2:0 frame stays 4:2:0, which the window draws without converting.
func selfViewFrame(img image.Image) image.Image {
	ycc, ok := img.(*image.YCbCr)
	switch {
	case ok && ycc.SubsampleRatio == image.YCbCrSubsampleRatio420 && ycc.Rect.Dx() <= 320:
		return picture.Copy(img)
	case ok && ycc.SubsampleRatio == image.YCbCrSubsampleRatio420 && ycc.Rect.Dx() <= 640:
		return picture.Half(ycc)
	}
	return picture.Thumbnail(img, 320, 240)
}

// SetStatus sets the text at the start of the view's status line, such as
// the connection's state and round-trip time; the output adds what it
// measures (resolution, frame rate, bit rate).
func (o *Output) SetStatus(text string) {
	o.mu.Lock()
	o.status = text
	o.mu.Unlock()
	if o.view != nil {
		o.view.SetStatus(o.statusLine())
	}
}

// SetFullscreen makes the window fill the screen, or not; without a window
// it does nothing.
func (o *Output) SetFullscreen(on bool) {
	if o.win != nil {
		o.win.SetFullscreen(on)
	}
}

// Fullscreen reports whether the window fills the screen.
func (o *Output) Fullscreen() bool { return o.win != nil && o.win.Fullscreen() }

// updateStatus refreshes the status line once a second, for the frame and
// bit rates.
func (o *Output) updateStatus() {
	defer o.statusWG.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		o.view.SetStatus(o.statusLine())
		select {
		case <-o.done:
			return
		case <-tick.C:
		}
	}
}

// statusLine is the caller's status followed by what arrives.
func (o *Output) statusLine() string {
	o.mu.Lock()
	parts := []string{}
	if o.status != "" {
		parts = append(parts, o.status)
	}
	now := time.Now()
	bits := 0.0
	for _, ts := range o.tracks {
		st := ts.snapshot(now)
		bits += st.BitRate
		if st.Kind == webrtc.RTPCodecTypeVideo && st.Decoded > 0 {
			parts = append(parts, fmt.Sprintf("%dx%d %.0f fps", st.Width, st.Height, st.FPS))
		}
	}
	o.mu.Unlock()
	if bits > 0 {
		parts = append(parts, fmt.Sprintf("%.0f kbit/s", bits/1000))
	}
	return strings.Join(parts, " | ") // ASCII: the window's font has nothing else
}

// Stats returns a copy of what has arrived so far, one entry per track.
func (o *Output) Stats() []Stats {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	out := make([]Stats, len(o.tracks))
	for i, ts := range o.tracks {
		out[i] = ts.snapshot(now)
	}
	return out
}

// Close closes the view, stops the sound and finishes the recordings.
// Tracks still playing are still counted, but no longer shown, played or
// recorded.
func (o *Output) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	spk := o.speaker
	o.mu.Unlock()
	close(o.done)
	o.statusWG.Wait()

	var errs []error
	if o.view != nil {
		errs = append(errs, o.view.Close())
	}
	if spk != nil {
		errs = append(errs, spk.Close())
	}
	errs = append(errs, o.closeSinks())
	select {
	case d := <-o.spare:
		errs = append(errs, d.dec.Close())
	default:
	}
	return errors.Join(errs...)
}

func (o *Output) closeSinks() error {
	o.mu.Lock()
	sinks := o.sinks
	o.sinks = nil
	o.mu.Unlock()
	var errs []error
	for _, s := range sinks {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

func (o *Output) warn(err error) {
	if o.opts.Warn != nil {
		o.opts.Warn(err)
	}
}
