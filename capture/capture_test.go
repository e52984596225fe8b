package capture

import (
	"errors"
	"image"
	"io"
	"math"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

func TestTestVideoMoves(t *testing.T) {
	v := NewTestVideo(64, 48, 1000)
	defer v.Close()

	first, _, err := v.Read()
	if err != nil {
		t.Fatal(err)
	}
	y0 := append([]byte(nil), first.(*image.YCbCr).Y...)
	second, _, err := v.Read()
	if err != nil {
		t.Fatal(err)
	}
	img := second.(*image.YCbCr)
	if img.Bounds() != image.Rect(0, 0, 64, 48) {
		t.Fatalf("bounds %v, want 64x48", img.Bounds())
	}
	if string(y0) == string(img.Y) {
		t.Fatal("two frames in a row are the same: the stripe does not move")
	}
	// Away from the stripe, the left edge shows the first bar's luma.
	if got := img.Y[img.YOffset(0, 47)]; got != testBars[0][0] && got != 235 {
		t.Fatalf("luma at the left edge = %d, want a bar or the stripe", got)
	}

	v.Close()
	if _, _, err := v.Read(); !errors.Is(err, io.EOF) {
		t.Fatalf("Read after Close: %v, want io.EOF", err)
	}
}

func TestTestAudioIsA480HzTone(t *testing.T) {
	a := NewTestAudio()
	defer a.Close()

	var samples []int16
	start := time.Now()
	for range 5 { // 100 ms
		chunk, _, err := a.Read()
		if err != nil {
			t.Fatal(err)
		}
		c := chunk.(*wave.Int16Interleaved)
		if c.Size.SamplingRate != 48000 || c.Size.Channels != 1 || c.Size.Len != 960 {
			t.Fatalf("chunk %+v, want 960 samples of 48 kHz mono", c.Size)
		}
		samples = append(samples, c.Data...)
	}
	if elapsed := time.Since(start); elapsed < 60*time.Millisecond {
		t.Fatalf("100 ms of audio came in %v: the source is not paced", elapsed)
	}

	crossings := 0
	for i := 1; i < len(samples); i++ {
		if (samples[i-1] < 0) != (samples[i] < 0) {
			crossings++
		}
	}
	hz := float64(crossings) / 2 / (float64(len(samples)) / 48000)
	if math.Abs(hz-TestToneHz) > 10 {
		t.Fatalf("tone is %.0f Hz, want %d", hz, TestToneHz)
	}
}

func TestOpenTestSources(t *testing.T) {
	m, err := Open(Options{Video: Test, Audio: Test})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if len(m.Tracks()) != 2 || m.Video() == nil || m.Audio == nil {
		t.Fatalf("got %d tracks, want video and audio", len(m.Tracks()))
	}
	if m.VideoLabel() == "" || m.AudioLabel == "" {
		t.Fatal("tracks have no labels to show the user")
	}
	if want := m.VideoLabel() + " and " + m.AudioLabel; m.Describe() != want {
		t.Errorf("Describe() = %q, want %q", m.Describe(), want)
	}
}

func TestOpenNothing(t *testing.T) {
	m, err := Open(Options{Video: None, Audio: None})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tracks()) != 0 {
		t.Fatalf("got %d tracks, want none", len(m.Tracks()))
	}
	if got := m.Describe(); got != "no video and no audio" {
		t.Errorf("Describe() = %q", got)
	}
}

func TestOpenUnknownSource(t *testing.T) {
	for _, opts := range []Options{{Video: "webcam"}, {Audio: "speaker"}} {
		if _, err := Open(opts); !errors.Is(err, ErrUnknownSource) {
			t.Errorf("Open(%+v) = %v, want ErrUnknownSource", opts, err)
		}
	}
}

func TestOpenMissingDevice(t *testing.T) {
	_, err := Open(Options{Video: Camera, Camera: "no-such-camera"})
	if !errors.Is(err, ErrNoCamera) {
		t.Errorf("camera: %v, want ErrNoCamera", err)
	}
	_, err = Open(Options{Audio: Mic, Microphone: "no-such-microphone"})
	if !errors.Is(err, ErrNoMicrophone) {
		t.Errorf("microphone: %v, want ErrNoMicrophone", err)
	}
}

func TestMicrophonePropSkipsChannellessFormats(t *testing.T) {
	null := prop.Media{Audio: prop.Audio{ChannelCount: 0, SampleRate: 48000, SampleSize: 2}}
	mono := prop.Media{Audio: prop.Audio{ChannelCount: 1, SampleRate: 48000, SampleSize: 2}}
	stereo := prop.Media{Audio: prop.Audio{ChannelCount: 2, SampleRate: 48000, SampleSize: 4, IsFloat: true}}

	tests := []struct {
		name      string
		props     []prop.Media
		wantCount int
		wantErr   bool
	}{
		{"alsa null device", []prop.Media{null}, 0, true},
		{"nothing", nil, 0, true},
		{"mono beside null", []prop.Media{null, mono}, 1, false},
		{"prefers mono", []prop.Media{stereo, mono}, 1, false},
		{"stereo only", []prop.Media{stereo}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := microphoneProp(tt.props)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && p.ChannelCount != tt.wantCount {
				t.Fatalf("chose %d channels, want %d", p.ChannelCount, tt.wantCount)
			}
		})
	}
}

func TestGuardTurnsPanicIntoError(t *testing.T) {
	r := guardAudio(audio.ReaderFunc(func() (wave.Audio, func(), error) {
		panic("unsupported format")
	}), "null")
	chunk, release, err := r.Read()
	if !errors.Is(err, ErrDeviceFailed) {
		t.Fatalf("err = %v, want ErrDeviceFailed", err)
	}
	if chunk != nil || release == nil {
		t.Fatal("a failed read must return no chunk and a callable release")
	}
}

func TestDevicesDoesNotPanic(t *testing.T) {
	for _, d := range Devices() {
		if d.ID == "" || (d.Kind != Camera && d.Kind != Mic) {
			t.Errorf("device %+v has no ID or an unknown kind", d)
		}
		if !d.Ready && d.Why == "" {
			t.Errorf("device %+v is not ready and does not say why", d)
		}
	}
}

func TestStampSurvivesVP8(t *testing.T) {
	v := NewTestVideo(320, 240, 1000)
	defer v.Close()
	frames, err := encodeDecodeVP8(v, 320, 240, 10)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, img := range frames {
		at, ok := ReadStamp(img, now)
		if !ok {
			t.Fatalf("frame %d: no stamp read after VP8", i)
		}
		if d := now.Sub(at); d < 0 || d > 5*time.Second {
			t.Fatalf("frame %d: stamp says %v ago", i, d)
		}
	}
}

func TestReadStampRefusesOtherPictures(t *testing.T) {
	img := image.NewYCbCr(image.Rect(0, 0, 320, 240), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = 128
	}
	if _, ok := ReadStamp(img, time.Now()); ok {
		t.Fatal("a grey picture read as a stamp")
	}
	if _, ok := ReadStamp(image.NewYCbCr(image.Rect(0, 0, 20, 10), image.YCbCrSubsampleRatio420), time.Now()); ok {
		t.Fatal("a tiny picture read as a stamp")
	}
	at := time.UnixMilli(time.Now().UnixMilli() - 1234)
	drawStamp(img, at)
	got, ok := ReadStamp(img, at.Add(1234*time.Millisecond))
	if !ok || !got.Equal(at) {
		t.Fatalf("read %v %v, want %v", got, ok, at)
	}
}

// encodeDecodeVP8 sends n pictures of src through libvpx and back.
func encodeDecodeVP8(src *TestVideo, w, h, n int) ([]*image.YCbCr, error) {
	encoded, err := mediatest.EncodeVP8(src, w, h, n)
	if err != nil {
		return nil, err
	}
	frames := make(chan []byte, len(encoded))
	for _, f := range encoded {
		frames <- f
	}
	close(frames)
	dec, err := vpx.NewDecoder(mediatest.FrameReader(frames), prop.Media{Video: prop.Video{Width: w, Height: h}})
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	var out []*image.YCbCr
	for range encoded {
		img, _, err := dec.Read()
		if err != nil {
			return nil, err
		}
		out = append(out, img.(*image.YCbCr))
	}
	return out, nil
}
