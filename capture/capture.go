package capture

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/codec/opus"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"github.com/pigeon-call/pigeon/apm"
)

// Names of the media sources a user can pick.
const (
	Camera = "camera" // a camera, for video
	Mic    = "mic"    // a microphone, for audio
	Test   = "test"   // a synthetic source: moving colour bars, or a 480 Hz tone
	Screen = "screen" // the screen (X11), for video
	None   = "none"   // nothing is sent
)

// Defaults of Options.
const (
	DefaultWidth        = 640
	DefaultHeight       = 480
	DefaultFrameRate    = 30
	DefaultVideoBitRate = 1_000_000
)

// Options says which media to open.
type Options struct {
	// Video is Camera, Test, Screen, None, ImagePrefix and a picture's
	// path, or the path of a file to play (see VideoFile).
	Video string
	// Audio is Mic, Test, None, or the path of a file to play (see
	// AudioFile).
	Audio string

	// Camera and Microphone pick a device by the ID that Devices reports;
	// empty picks the system's default.
	Camera     string
	Microphone string

	// RawMicrophone sends the microphone as it records. Otherwise its
	// sound is cleaned (package apm): the echo of what the speakers play
	// cancelled, noise suppressed, the gain levelled.
	RawMicrophone bool
	// FarEnd is what the speakers play, for the echo canceller; nil
	// cancels no echo (the rest of the cleaning still runs). The speaker
	// side hands it what it plays (render.Options.FarEnd).
	FarEnd *apm.FarEnd

	Width, Height int     // picture size wanted; 0 means the default
	FrameRate     float64 // frames per second wanted; 0 means the default
	VideoBitRate  int     // bits per second; 0 means the default

	// tapEncoder, in tests, wraps each encoder as it is built.
	tapEncoder func(codec.ReadCloser) codec.ReadCloser
}

func (o *Options) setDefaults() {
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	if o.Height == 0 {
		o.Height = DefaultHeight
	}
	if o.FrameRate == 0 {
		o.FrameRate = DefaultFrameRate
	}
	if o.VideoBitRate == 0 {
		o.VideoBitRate = DefaultVideoBitRate
	}
}

// Media is the local media of a call. A nil track means that kind is not sent.
// The video can be added during the call (AddVideo) and its source switched
// (SwitchVideo), so it is read through methods that are safe from any
// goroutine.
type Media struct {
	Audio mediadevices.Track
	// AudioLabel says what feeds Audio, for the user.
	AudioLabel string

	processor *apm.Processor // the microphone's processing; nil for none

	opts     Options                     // what was opened, for SwitchVideo and AddVideo
	selector *mediadevices.CodecSelector // the encoders, for a video added later
	codecs   encoders                    // what selector's encoders make, for prepare

	switchMu sync.Mutex // one SwitchVideo or AddVideo at a time: opening a camera takes a while

	mu         sync.Mutex               // guards what follows, which a switch or an added video changes
	videoTrack mediadevices.Track       // track, its encoder prepared (send.go)
	track      *mediadevices.VideoTrack // the track itself, whose pictures VideoFrames reads
	video      *split                   // what feeds videoTrack
	name       string                   // the video source's name, as Options.Video
	videoLabel string                   // what feeds videoTrack, for the user
	preview    func(image.Image)        // handed to a video added later
	targets    map[string]int           // each peer's video bit rate target (SetPeerVideoBitRate)
	closed     bool                     // Close was called: no video is added after it
}

// Video returns the video track, or nil when no video is sent.
func (m *Media) Video() mediadevices.Track {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.videoTrack
}

// VideoFrames returns a reader of the video track's pictures, as they are
// sent, or false when no video is sent.
func (m *Media) VideoFrames() (video.Reader, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.track == nil {
		return nil, false
	}
	return m.track.NewReader(false), true
}

// VideoLabel says what feeds the video track, for the user; "" without
// video. SwitchVideo and AddVideo change it.
func (m *Media) VideoLabel() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.videoLabel
}

// Describe says what is sent, for the user: "test picture and test tone",
// "no video and microphone (...)".
func (m *Media) Describe() string {
	video, audio := cmp.Or(m.VideoLabel(), "no video"), cmp.Or(m.AudioLabel, "no audio")
	return video + " and " + audio
}

// Preview hands fn each picture of the video source as it is made, whether
// or not the track is sending, until Preview(nil): for a self-view that
// costs the call no latency. A video added later (AddVideo) is previewed
// too. fn runs on the source's goroutine; it must copy what it keeps, since
// the source may reuse the picture, and return quickly.
func (m *Media) Preview(fn func(image.Image)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.preview = fn
	if m.video != nil {
		m.video.setPreview(fn)
	}
}

// Tracks returns the tracks that are present.
func (m *Media) Tracks() []mediadevices.Track {
	var tracks []mediadevices.Track
	for _, t := range []mediadevices.Track{m.Video(), m.Audio} {
		if t != nil {
			tracks = append(tracks, t)
		}
	}
	return tracks
}

// SetVideoBitRate asks the video encoder to aim at bitsPerSecond, as
// congestion control wants on a worse path: the target of a call with one
// peer, SetPeerVideoBitRate's with the peer "". Before the track is
// sending, or without video, the rate is kept for the encoder.
func (m *Media) SetVideoBitRate(bitsPerSecond int) error {
	return m.SetPeerVideoBitRate("", bitsPerSecond)
}

// SetPeerVideoBitRate records the bit rate the path to one peer carries,
// as that peer's congestion controller estimates it (call.Options'
// OnTargetBitRate), and sets the video encoder, which every peer shares, to
// the least of the peers' targets: the picture is encoded once and sent to
// all, so it follows the slowest path. peer is any name the caller keeps
// for the peer; ForgetPeer drops it once the peer leaves.
func (m *Media) SetPeerVideoBitRate(peer string, bitsPerSecond int) error {
	m.mu.Lock()
	if m.targets == nil {
		m.targets = map[string]int{}
	}
	m.targets[peer] = bitsPerSecond
	m.mu.Unlock()
	return m.applyBitRate()
}

// ForgetPeer drops the bit rate target of a peer that left the call: the
// encoder follows the peers that remain, and goes back to
// Options.VideoBitRate once none does.
func (m *Media) ForgetPeer(peer string) error {
	m.mu.Lock()
	delete(m.targets, peer)
	m.mu.Unlock()
	return m.applyBitRate()
}

// VideoBitRate is the bit rate the video encoder aims at: the least of the
// peers' targets, or Options.VideoBitRate before any is known.
func (m *Media) VideoBitRate() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bitRateLocked()
}

func (m *Media) bitRateLocked() int {
	if len(m.targets) == 0 {
		return m.opts.VideoBitRate
	}
	least := 0
	for _, bps := range m.targets {
		if least == 0 || bps < least {
			least = bps
		}
	}
	return least
}

// applyBitRate sets the video encoder to VideoBitRate.
func (m *Media) applyBitRate() error {
	m.mu.Lock()
	video, bps := m.videoTrack, m.bitRateLocked()
	m.mu.Unlock()
	switch v := video.(type) {
	case nil:
		return nil
	case *preparedTrack:
		return v.setBitRate(bps)
	}
	if c, ok := video.EncoderController().(codec.BitRateController); ok {
		return c.SetBitRate(bps)
	}
	return nil
}

// ForceKeyFrame makes the video encoder's next picture a keyframe, one the
// peer can decode on its own: for a connection that has just come up, so
// the peer need not ask for one and wait.
func (m *Media) ForceKeyFrame() error {
	video := m.Video()
	if video == nil {
		return nil
	}
	if c, ok := video.EncoderController().(codec.KeyFrameController); ok {
		return c.ForceKeyFrame()
	}
	return nil
}

// EchoStats says what the microphone's echo canceller makes of the call so
// far; false when the microphone's sound is not processed.
func (m *Media) EchoStats() (apm.Stats, bool) {
	if m.processor == nil {
		return apm.Stats{}, false
	}
	return m.processor.Stats(), true
}

// Close stops every track and releases its device.
func (m *Media) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	var errs []error
	for _, t := range m.Tracks() {
		errs = append(errs, t.Close())
	}
	return errors.Join(errs...)
}

// Open opens the media that opts asks for. On error nothing stays open.
func Open(opts Options) (*Media, error) {
	opts.setDefaults()
	selector, codecs, err := newCodecSelector(opts)
	if err != nil {
		return nil, err
	}

	m := &Media{opts: opts, selector: selector, codecs: codecs, name: opts.Video}
	switch opts.Video {
	case None, "":
	default:
		src, label, err := openVideo(opts.Video, opts)
		if err != nil {
			return nil, err
		}
		m.startVideo(src, opts.Video, label)
	}

	switch opts.Audio {
	case Mic:
		m.Audio, m.AudioLabel, m.processor, err = openMicrophone(opts, selector)
	case Test:
		m.Audio = mediadevices.NewAudioTrack(NewTestAudio(), selector)
		m.AudioLabel = "test tone 480 Hz"
	case None, "":
	default:
		var a *FileAudio
		if a, err = OpenFileAudio(opts.Audio); err == nil {
			m.Audio = mediadevices.NewAudioTrack(a, selector)
			m.AudioLabel = a.Label()
		} else if errors.Is(err, ErrUnknownSource) {
			err = fmt.Errorf("%w %q for audio: no file has that name; use %s, %s, %s or a sound file's path",
				ErrUnknownSource, opts.Audio, Mic, Test, None)
		}
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	if m.Audio != nil {
		m.Audio = prepare(m.Audio, codecs.audio)
	}
	return m, nil
}

// openVideoMidCall is openVideo for a source added or switched to during a
// call, where a picture must be there and readable: a person who mistyped
// its path would send a grey picture.
func openVideoMidCall(name string, opts Options) (mediadevices.VideoSource, string, error) {
	if path, ok := ImagePath(name); ok {
		if err := checkPicture(path); err != nil {
			return nil, "", err
		}
	}
	return openVideo(name, opts)
}

// openVideo opens the video source named name (Options.Video, not None),
// and says what it is for the user. A file is opened and its first
// picture read: one that cannot play is refused now, not once it is sent.
func openVideo(name string, opts Options) (mediadevices.VideoSource, string, error) {
	switch name {
	case Camera:
		return openCamera(opts)
	case Test:
		label := fmt.Sprintf("test pattern %dx%d at %g fps", opts.Width, opts.Height, opts.FrameRate)
		return NewTestVideo(opts.Width, opts.Height, opts.FrameRate), label, nil
	case Screen:
		return openScreen(opts)
	}
	if path, ok := ImagePath(name); ok {
		return NewImageVideo(path, opts.Width, opts.Height, opts.FrameRate), "the picture " + path, nil
	}
	if name == None || name == "" {
		return nil, "", fmt.Errorf("%w %q for video", ErrUnknownSource, name)
	}
	v, err := OpenFileVideo(name, opts.Width, opts.Height)
	switch {
	case errors.Is(err, errPicture):
		// A picture named as a file is shown as image:FILE shows it.
		if err := checkPicture(name); err != nil {
			return nil, "", err
		}
		return NewImageVideo(name, opts.Width, opts.Height, opts.FrameRate), "the picture " + name, nil
	case errors.Is(err, ErrUnknownSource):
		return nil, "", fmt.Errorf("%w %q for video: no file has that name; use %s, %s, %s, %s, %sFILE or a video file's path",
			ErrUnknownSource, name, Camera, Test, Screen, None, ImagePrefix)
	case err != nil:
		return nil, "", err
	}
	return v, v.Label(), nil
}

// VideoSources are the names SwitchVideo takes, but for pictures
// (ImagePrefix and a path) and files (a path).
var VideoSources = []string{Camera, Test, Screen}

// VideoName returns the name of the video source sent now, as
// Options.Video and SwitchVideo take it; None without video.
func (m *Media) VideoName() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.videoTrack == nil {
		return None
	}
	return m.name
}

// startVideo makes src, named name and described by label, feed a new
// video track. It reports false, and starts nothing, once the media is
// closed.
func (m *Media) startVideo(src mediadevices.VideoSource, name, label string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.name = name
	m.video = newSplit(src)
	if m.preview != nil {
		m.video.setPreview(m.preview)
	}
	track := mediadevices.NewVideoTrack(m.video, m.selector)
	m.track, _ = track.(*mediadevices.VideoTrack)
	p := prepare(track, m.codecs.video)
	if len(m.targets) > 0 {
		p.setBitRate(m.bitRateLocked()) // the peers' paths are known already
	}
	m.videoTrack = p
	m.videoLabel = label
	return true
}

// AddVideo opens the source named name (Camera, Test, Screen, ImagePrefix
// and a path, or a file's path) and makes it feed a new video track, for media
// opened without video (None): the call then has a track to add. With a
// video track already there it returns ErrHasVideo; on any error nothing
// changes. It returns the new source's label.
func (m *Media) AddVideo(name string) (string, error) {
	m.switchMu.Lock()
	defer m.switchMu.Unlock()
	if m.Video() != nil {
		return "", ErrHasVideo
	}
	if name == None || name == "" {
		return "", fmt.Errorf("%w %q to add: it sends nothing", ErrUnknownSource, None)
	}
	src, label, err := openVideoMidCall(name, m.opts)
	if err != nil {
		return "", err
	}
	if !m.startVideo(src, name, label) {
		src.Close()
		return "", errSplitClosed
	}
	return label, nil
}

// SwitchVideo makes the source named name (Camera, Test, Screen,
// ImagePrefix and a path, or a file's path, played from its start) feed
// the video track in place of the one that does, and closes that one: a
// camera is released. The track, and with it
// its encoder and the call's RTP sender, stays: the peer sees the new
// picture with nothing to negotiate, and the preview follows it. A picture
// must be there and readable at the time of the switch. Switching to the
// source sent now changes nothing. On error the old source goes on as it
// was. It returns the new source's label.
func (m *Media) SwitchVideo(name string) (string, error) {
	m.switchMu.Lock()
	defer m.switchMu.Unlock()
	m.mu.Lock()
	video, now, label := m.video, m.name, m.videoLabel
	m.mu.Unlock()
	if video == nil {
		return "", ErrNoVideo
	}
	if name == None || name == "" {
		return "", fmt.Errorf("%w %q to switch to: the video is turned off, not switched", ErrUnknownSource, None)
	}
	if name == now {
		// Already sent; a camera or a screen cannot be opened twice.
		return label, nil
	}
	src, label, err := openVideoMidCall(name, m.opts)
	if err != nil {
		return "", err
	}
	if err := video.swap(src); err != nil && errors.Is(err, errSplitClosed) {
		return "", err
	}
	// An error closing the old source (a camera that went away) does not
	// stop the new one.
	m.mu.Lock()
	m.name, m.videoLabel = name, label
	m.mu.Unlock()
	return label, nil
}

// encoders are the codecs of the encoders pigeon sends with.
type encoders struct{ video, audio *codec.RTPCodec }

// newCodecSelector holds the encoders pigeon sends with: VP8 and Opus. The
// PeerConnection negotiates by MIME type, so these match the codecs the call
// package registers.
func newCodecSelector(opts Options) (*mediadevices.CodecSelector, encoders, error) {
	// Constant bit rate keeps the stream within what the path was promised;
	// error resilience lets the decoder go on past a lost packet (see
	// vp8enc.go).
	vp8 := vp8Params{BitRate: opts.VideoBitRate}

	opusParams, err := opus.NewParams()
	if err != nil {
		return nil, encoders{}, fmt.Errorf("preparing the Opus encoder: %w", err)
	}
	var video codec.VideoEncoderBuilder = &vp8
	var sound codec.AudioEncoderBuilder = &opusParams
	if opts.tapEncoder != nil {
		video, sound = tappedVideo{video, opts.tapEncoder}, tappedAudio{sound, opts.tapEncoder}
	}
	return mediadevices.NewCodecSelector(
		mediadevices.WithVideoEncoders(video),
		mediadevices.WithAudioEncoders(sound),
	), encoders{video: vp8.RTPCodec(), audio: opusParams.RTPCodec()}, nil
}

// tappedVideo and tappedAudio hand each encoder they build to tap
// (Options.tapEncoder).
type (
	tappedVideo struct {
		codec.VideoEncoderBuilder
		tap func(codec.ReadCloser) codec.ReadCloser
	}
	tappedAudio struct {
		codec.AudioEncoderBuilder
		tap func(codec.ReadCloser) codec.ReadCloser
	}
)

func (b tappedVideo) BuildVideoEncoder(r video.Reader, m prop.Media) (codec.ReadCloser, error) {
	enc, err := b.VideoEncoderBuilder.BuildVideoEncoder(r, m)
	if err != nil {
		return nil, err
	}
	return b.tap(enc), nil
}

func (b tappedAudio) BuildAudioEncoder(r audio.Reader, m prop.Media) (codec.ReadCloser, error) {
	enc, err := b.AudioEncoderBuilder.BuildAudioEncoder(r, m)
	if err != nil {
		return nil, err
	}
	return b.tap(enc), nil
}
