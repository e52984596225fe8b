package capture

import (
	"errors"
	"fmt"
	"image"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/codec/opus"
	"github.com/pion/mediadevices/pkg/codec/vpx"
)

// Names of the media sources a user can pick.
const (
	Camera = "camera" // a camera, for video
	Mic    = "mic"    // a microphone, for audio
	Test   = "test"   // a synthetic source: moving colour bars, or a 480 Hz tone
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
	Video string // Camera, Test, None, or ImagePrefix and a picture's path
	Audio string // Mic, Test or None

	// Camera and Microphone pick a device by the ID that Devices reports;
	// empty picks the system's default.
	Camera     string
	Microphone string

	Width, Height int     // picture size wanted; 0 means the default
	FrameRate     float64 // frames per second wanted; 0 means the default
	VideoBitRate  int     // bits per second; 0 means the default
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
type Media struct {
	Video mediadevices.Track
	Audio mediadevices.Track

	// VideoLabel and AudioLabel say what feeds each track, for the user.
	VideoLabel, AudioLabel string

	video *split // what feeds Video
}

// Preview hands fn each picture of the video source as it is made, whether
// or not the track is sending, until Preview(nil): for a self-view that
// costs the call no latency. fn runs on the source's goroutine; it must
// copy what it keeps, since the source may reuse the picture, and return
// quickly.
func (m *Media) Preview(fn func(image.Image)) {
	if m.video != nil {
		m.video.setPreview(fn)
	}
}

// Tracks returns the tracks that are present.
func (m *Media) Tracks() []mediadevices.Track {
	var tracks []mediadevices.Track
	for _, t := range []mediadevices.Track{m.Video, m.Audio} {
		if t != nil {
			tracks = append(tracks, t)
		}
	}
	return tracks
}

// SetVideoBitRate asks the video encoder to aim at bitsPerSecond, as
// congestion control wants on a worse path. Before the track is sending, or
// without video, there is nothing to change.
func (m *Media) SetVideoBitRate(bitsPerSecond int) error {
	if m.Video == nil {
		return nil
	}
	if c, ok := m.Video.EncoderController().(codec.BitRateController); ok {
		return c.SetBitRate(bitsPerSecond)
	}
	return nil
}

// ForceKeyFrame makes the video encoder's next picture a keyframe, one the
// peer can decode on its own: for a connection that has just come up, so
// the peer need not ask for one and wait.
func (m *Media) ForceKeyFrame() error {
	if m.Video == nil {
		return nil
	}
	if c, ok := m.Video.EncoderController().(codec.KeyFrameController); ok {
		return c.ForceKeyFrame()
	}
	return nil
}

// Close stops every track and releases its device.
func (m *Media) Close() error {
	var errs []error
	for _, t := range m.Tracks() {
		errs = append(errs, t.Close())
	}
	return errors.Join(errs...)
}

// Open opens the media that opts asks for. On error nothing stays open.
func Open(opts Options) (*Media, error) {
	opts.setDefaults()
	selector, err := newCodecSelector(opts)
	if err != nil {
		return nil, err
	}

	m := &Media{}
	switch opts.Video {
	case Camera:
		var src mediadevices.VideoSource
		if src, m.VideoLabel, err = openCamera(opts); err == nil {
			m.video = newSplit(src)
		}
	case Test:
		m.video = newSplit(NewTestVideo(opts.Width, opts.Height, opts.FrameRate))
		m.VideoLabel = fmt.Sprintf("test pattern %dx%d at %g fps", opts.Width, opts.Height, opts.FrameRate)
	case None, "":
	default:
		if path, ok := ImagePath(opts.Video); ok {
			m.Video = mediadevices.NewVideoTrack(NewImageVideo(path, opts.Width, opts.Height, opts.FrameRate), selector)
			m.VideoLabel = "the picture " + path
			break
		}
		err = fmt.Errorf("%w %q for video: use %s, %s, %s or %sFILE", ErrUnknownSource, opts.Video, Camera, Test, None, ImagePrefix)
	}
	if err != nil {
		return nil, err
	}
	if m.video != nil {
		m.Video = mediadevices.NewVideoTrack(m.video, selector)
	}

	switch opts.Audio {
	case Mic:
		m.Audio, m.AudioLabel, err = openMicrophone(opts, selector)
	case Test:
		m.Audio = mediadevices.NewAudioTrack(NewTestAudio(), selector)
		m.AudioLabel = "test tone 480 Hz"
	case None, "":
	default:
		err = fmt.Errorf("%w %q for audio: use %s, %s or %s", ErrUnknownSource, opts.Audio, Mic, Test, None)
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// newCodecSelector holds the encoders pigeon sends with: VP8 and Opus. The
// PeerConnection negotiates by MIME type, so these match the codecs the call
// package registers.
func newCodecSelector(opts Options) (*mediadevices.CodecSelector, error) {
	vp8, err := vpx.NewVP8Params()
	if err != nil {
		return nil, fmt.Errorf("preparing the VP8 encoder: %w", err)
	}
	vp8.BitRate = opts.VideoBitRate
	// Constant bit rate keeps the stream within what the path was promised;
	// error resilience lets the decoder go on past a lost packet.
	vp8.RateControlEndUsage = vpx.RateControlCBR
	vp8.ErrorResilient = vpx.ErrorResilientDefault

	opusParams, err := opus.NewParams()
	if err != nil {
		return nil, fmt.Errorf("preparing the Opus encoder: %w", err)
	}
	return mediadevices.NewCodecSelector(
		mediadevices.WithVideoEncoders(&vp8),
		mediadevices.WithAudioEncoders(&opusParams),
	), nil
}
