package capture

import (
	"errors"
	"image"
	"image/color"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

func TestSplitSwapGoesOnWithTheNewSource(t *testing.T) {
	a, b := newSteppedSource(), newSteppedSource()
	b.n = 100
	s := newSplit(a)
	defer s.Close()

	a.step <- struct{}{}
	img, _, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	if n := number(t, img); n != 1 {
		t.Fatalf("read picture %d, want 1", n)
	}
	if err := s.swap(b); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the source swapped out was not closed")
	}
	// The split read the old source until it was closed: that ended the
	// read, and not the split.
	b.step <- struct{}{}
	img, _, err = s.Read()
	if err != nil {
		t.Fatalf("after the swap: %v", err)
	}
	if n := number(t, img); n != 101 {
		t.Fatalf("read picture %d after the swap, want the new source's 101", n)
	}
	if s.ID() != "stepped" {
		t.Errorf("ID %q changed with the source", s.ID())
	}

	s.Close()
	if _, _, err := s.Read(); !errors.Is(err, io.EOF) {
		t.Fatalf("Read after Close: %v, want io.EOF", err)
	}
	c := newSteppedSource()
	if err := s.swap(c); err == nil {
		t.Error("a source was swapped into a closed split")
	}
	select {
	case <-c.closed:
	default:
		t.Error("a source swapped into a closed split was left open")
	}
}

// previews returns the pictures m's preview is handed, as colours of
// their middle.
func previews(m *Media) <-chan [3]uint8 {
	got := make(chan [3]uint8, 1)
	m.Preview(func(img image.Image) {
		ycc := img.(*image.YCbCr)
		x, y := ycc.Rect.Dx()/2, ycc.Rect.Dy()/2
		ci := ycc.COffset(x, y)
		select {
		case got <- [3]uint8{ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ci], ycc.Cr[ci]}:
		default:
		}
	})
	return got
}

// waitColour waits until a picture's middle is near want (Y, Cb, Cr).
func waitColour(t *testing.T, got <-chan [3]uint8, want [3]uint8) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	var last [3]uint8
	for {
		select {
		case c := <-got:
			if near(c, want) {
				return
			}
			last = c
		case <-deadline:
			t.Fatalf("the pictures' middle is YCbCr %v, want %v", last, want)
		}
	}
}

func near(a, b [3]uint8) bool {
	for i := range a {
		if d := int(a[i]) - int(b[i]); d < -8 || d > 8 {
			return false
		}
	}
	return true
}

// solid is a w×h picture all of one colour.
func solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

func TestSwitchVideoToAPictureAndBack(t *testing.T) {
	m, err := Open(Options{Video: Test, Audio: None, Width: 160, Height: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	track := m.Video()
	old := m.video.source().(*TestVideo)
	got := previews(m)
	// The middle of the test picture is the green bar, or the stripe.
	green := [3]uint8{testBars[3][0], testBars[3][1], testBars[3][2]}
	waitColour(t, got, green)

	path := filepath.Join(t.TempDir(), "red.png")
	writePNG(t, path, solid(40, 30, color.RGBA{255, 0, 0, 255}))
	label, err := m.SwitchVideo(ImagePrefix + path)
	if err != nil {
		t.Fatal(err)
	}
	if label != "the picture "+path || m.VideoLabel() != label || m.VideoName() != ImagePrefix+path {
		t.Errorf("label %q, VideoLabel %q, name %q", label, m.VideoLabel(), m.VideoName())
	}
	if m.Video() != track {
		t.Error("the switch made a new track: the call would have to negotiate it")
	}
	if _, _, err := old.Read(); !errors.Is(err, io.EOF) {
		t.Errorf("the test source read after the switch: %v, want io.EOF: it was not closed", err)
	}
	red := [3]uint8{}
	red[0], red[1], red[2] = limitedYCbCr(255, 0, 0)
	waitColour(t, got, red)

	if _, err := m.SwitchVideo(Test); err != nil {
		t.Fatal(err)
	}
	waitColour(t, got, green)
}

// TestSwitchVideoKeepsTheOldSourceOnError asks for sources that cannot
// open: the test picture goes on, and the error says why.
func TestSwitchVideoKeepsTheOldSourceOnError(t *testing.T) {
	m, err := Open(Options{Video: Test, Audio: None, Width: 160, Height: 120, Camera: "no-such-camera"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	src, label := m.video.source(), m.VideoLabel()
	t.Setenv("DISPLAY", "")
	for _, c := range []struct {
		name string
		want error
	}{
		{"bogus", ErrUnknownSource},
		{None, ErrUnknownSource},
		{"", ErrUnknownSource},
		{ImagePrefix, ErrUnknownSource},
		{ImagePrefix + "/no/such.png", ErrNoPicture},
		{ImagePrefix + "switch_test.go", ErrNoPicture},
		{Camera, ErrNoCamera},
		{Screen, ErrNoScreen},
	} {
		if _, err := m.SwitchVideo(c.name); !errors.Is(err, c.want) {
			t.Errorf("SwitchVideo(%q) = %v, want %v", c.name, err, c.want)
		}
		if m.video.source() != src || m.VideoLabel() != label || m.VideoName() != Test {
			t.Fatalf("after SwitchVideo(%q) failed, the source is %q (%q), want the test picture", c.name, m.VideoName(), m.VideoLabel())
		}
	}
	// A display that is not there: the driver cannot open it.
	t.Setenv("DISPLAY", ":4999")
	if _, err := m.SwitchVideo(Screen); !errors.Is(err, ErrNoScreen) {
		t.Errorf("SwitchVideo(screen) without an X server = %v, want ErrNoScreen", err)
	}
	if m.video.source() != src {
		t.Fatal("a screen that cannot open replaced the test picture")
	}
	got := previews(m)
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the test picture stopped after a failed switch")
	}
}

func TestSwitchVideoWithoutVideo(t *testing.T) {
	m, err := Open(Options{Video: None, Audio: None})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.SwitchVideo(Test); !errors.Is(err, ErrNoVideo) {
		t.Fatalf("SwitchVideo without video = %v, want ErrNoVideo", err)
	}
}

// TestSwitchToAnotherSizeKeepsEncoding swaps a source for one of another
// size, as a camera that does not make the size asked for is: the VP8
// encoder pigeon sends with starts again at the new size, and a decoder
// goes on through the change.
func TestSwitchToAnotherSizeKeepsEncoding(t *testing.T) {
	s := newSplit(NewTestVideo(160, 120, 60))
	defer s.Close()
	n := 0
	swapping := video.ReaderFunc(func() (image.Image, func(), error) {
		if n++; n == 6 {
			if err := s.swap(NewTestVideo(320, 240, 60)); err != nil {
				return nil, func() {}, err
			}
		}
		return s.Read()
	})
	encoded, err := mediatest.EncodeVP8(swapping, 160, 120, 15)
	if err != nil {
		t.Fatalf("encoding across the switch: %v", err)
	}
	frames := make(chan []byte, len(encoded))
	for _, f := range encoded {
		frames <- f
	}
	close(frames)
	dec, err := vpx.NewDecoder(mediatest.FrameReader(frames), prop.Media{})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	var sizes []image.Rectangle
	for range encoded {
		img, _, err := dec.Read()
		if err != nil {
			t.Fatalf("decoding frame %d of %d: %v", len(sizes), len(encoded), err)
		}
		sizes = append(sizes, img.Bounds())
	}
	if first, last := sizes[0], sizes[len(sizes)-1]; first.Dx() != 160 || last.Dx() != 320 || last.Dy() != 240 {
		t.Fatalf("decoded %v, want 160x120 then 320x240", sizes)
	}
}

// TestAddVideoToMediaWithout adds a video source to media opened without
// one: a track appears, the preview set before it shows its pictures, and
// a second add, or a source that cannot open, changes nothing.
func TestAddVideoToMediaWithout(t *testing.T) {
	m, err := Open(Options{Video: None, Audio: None, Width: 160, Height: 120, Camera: "no-such-camera"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := previews(m) // set while there is no video, as a call's self-view is
	if m.Video() != nil || m.VideoName() != None || len(m.Tracks()) != 0 {
		t.Fatalf("media opened without video has video %v named %q", m.Video(), m.VideoName())
	}
	if _, err := m.SwitchVideo(Test); !errors.Is(err, ErrNoVideo) {
		t.Fatalf("SwitchVideo without video = %v, want ErrNoVideo", err)
	}
	for _, c := range []struct {
		name string
		want error
	}{
		{"bogus", ErrUnknownSource},
		{None, ErrUnknownSource},
		{Camera, ErrNoCamera},
		{ImagePrefix + "/no/such.png", ErrNoPicture},
	} {
		if _, err := m.AddVideo(c.name); !errors.Is(err, c.want) {
			t.Errorf("AddVideo(%q) = %v, want %v", c.name, err, c.want)
		}
		if m.Video() != nil || m.VideoLabel() != "" {
			t.Fatalf("AddVideo(%q) failed but left video %v (%q)", c.name, m.Video(), m.VideoLabel())
		}
	}

	label, err := m.AddVideo(Test)
	if err != nil {
		t.Fatal(err)
	}
	track := m.Video()
	if track == nil || label != m.VideoLabel() || !strings.HasPrefix(label, "test pattern 160x120") || m.VideoName() != Test {
		t.Fatalf("after AddVideo(test): track %v, label %q (VideoLabel %q), name %q", track, label, m.VideoLabel(), m.VideoName())
	}
	if len(m.Tracks()) != 1 {
		t.Errorf("Tracks() = %d tracks, want the video alone", len(m.Tracks()))
	}
	green := [3]uint8{testBars[3][0], testBars[3][1], testBars[3][2]}
	waitColour(t, got, green)

	if _, err := m.AddVideo(Test); !errors.Is(err, ErrHasVideo) {
		t.Errorf("a second AddVideo = %v, want ErrHasVideo", err)
	}
	if m.Video() != track {
		t.Error("a second AddVideo replaced the track")
	}
	// The added video switches as one opened at the start does.
	if _, err := m.SwitchVideo(Camera); !errors.Is(err, ErrNoCamera) {
		t.Errorf("SwitchVideo(camera) = %v, want ErrNoCamera", err)
	}
}

// TestAddVideoAfterClose adds nothing to closed media.
func TestAddVideoAfterClose(t *testing.T) {
	m, err := Open(Options{Video: None, Audio: None, Width: 160, Height: 120})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if _, err := m.AddVideo(Test); err == nil {
		t.Fatal("AddVideo after Close added a video")
	}
	if m.Video() != nil {
		t.Fatal("closed media has a video track")
	}
}
